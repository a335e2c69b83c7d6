package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.blip4j.checkpoint.ModelDirectory;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.train.PretrainJob;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code blip finetune nlvr} end to end on a tiny generated Shapes world: a random tiny
 * BlipForPretraining fine-tuned for a few steps on {@code nlvr_train} gives a BlipForNlvr2 directory
 * that {@code blip eval nlvr --json} and {@code blip nlvr} load; a caption dataset is refused naming
 * the record. (Structure only: three steps learn nothing.)
 */
class FinetuneNlvrCommandTest {
  @TempDir static Path dir;
  static Path config;

  @BeforeAll
  static void setUp() throws IOException {
    Path init = dir.resolve("init");
    try (NDManager root = NDManager.newBaseManager(); BlipPretrainModel m = PretrainJob.randomModel(PretrainJob.modelConfig("tiny", 32), 8, 1, root)) {
      ModelDirectory.save(m, init);
    }
    config = dir.resolve("nlvr.json");
    Files.writeString(config, """
        {
          "init": "init", "image_size": 32,
          "shapes": {"dir": "%s", "scale": 0.01, "noise": 0.4, "image_size": 48, "seed": 3},
          "datasets": [{"shapes": "nlvr_train"}],
          "batch_size": 4, "epochs": 1,
          "lr": {"schedule": "cosine", "init_lr": 1e-4, "min_lr": 1e-6, "warmup_lr": 1e-6, "warmup_steps": 0, "decay_rate": 1},
          "seed": 7, "loader_threads": 2, "log_every": 1, "keep_last": 1
        }
        """.formatted(dir.resolve("shapes").toString().replace("\\", "/")));
  }

  static List<String> metricLines(Path out) throws IOException {
    return Files.readAllLines(out.resolve("metrics.jsonl")).stream().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void fineTunedNlvrModelLoadsInEvalAndNlvr() throws Exception {
    Path ft = dir.resolve("ft-nlvr");
    Cli.Result r = Cli.run("finetune", "nlvr", "--config", config, "--out", ft, "--max-steps", "3");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("fine-tuned (nlvr) 3 steps");
    assertThat(metricLines(ft)).hasSize(3).allMatch(l -> l.contains("\"loss\":"));
    assertThat(Files.readString(ft.resolve("model/config.json"))).contains("BlipForNlvr2");

    Path shapes = dir.resolve("shapes");
    r = Cli.run("eval", "nlvr", "--model", ft.resolve("model"), "--ann", shapes.resolve("nlvr_test.json"), "--image-root", shapes.resolve("images"),
        "--json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.json()).as(r.toString()).hasSize(1);
    JsonNode o = r.json().get(0);
    List<String> keys = new ArrayList<>();
    o.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("task", "accuracy", "n", "skipped");
    assertThat(o.get("task").asText()).isEqualTo("nlvr");
    assertThat(o.get("n").asInt()).isPositive();
    assertThat(o.get("accuracy").asDouble()).isBetween(0.0, 100.0);

    JsonNode first = new com.fasterxml.jackson.databind.ObjectMapper().readTree(shapes.resolve("nlvr_test.json").toFile()).get(0);
    r = Cli.run("nlvr", "--model", ft.resolve("model"), "--image-a", shapes.resolve("images").resolve(first.get("images").get(0).asText()),
        "--image-b", shapes.resolve("images").resolve(first.get("images").get(1).asText()), "--text", first.get("sentence").asText(), "--json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.json().get(0).get("prob_true").asDouble()).isBetween(0.0, 1.0);
  }

  @Test
  void captionRecordsAreRefusedNamingTheSample() throws Exception {
    Path bad = dir.resolve("nlvr-on-captions.json");
    Files.writeString(bad, Files.readString(config).replace("\"nlvr_train\"", "\"human_train\""));
    Cli.Result r = Cli.run("finetune", "nlvr", "--config", bad, "--out", dir.resolve("ft-bad"), "--max-steps", "1");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("nlvr fine-tuning needs NLVR records").contains("human_train");
  }
}
