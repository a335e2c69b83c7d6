package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.blip4j.Blip4j;
import org.blip4j.checkpoint.ModelDirectory;
import org.blip4j.data.shapes.ShapesConfig;
import org.blip4j.data.shapes.ShapesGenerator;
import org.blip4j.data.shapes.ShapesProgressListener;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.train.PretrainJob;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code blip capfilt} end to end on a tiny Shapes world (6 web records with noise labels, 3 human
 * records) with a tiny random BlipForPretraining directory serving as both captioner and filter:
 * a run stopped after one shard and resumed, the files and the summary, a rerun that finds all done,
 * and the refusal of a directory made with other settings.
 */
class CapfiltCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static Path images;
  static Path web;
  static Path human;
  static Path model;

  @BeforeAll
  static void setUp() throws Exception {
    Path world = dir.resolve("world");
    new ShapesGenerator(new ShapesConfig(0.005, 0.4, 48, 3, 2)).generate(world, ShapesProgressListener.none());
    images = world.resolve("images");
    web = dir.resolve("web6.json");
    human = dir.resolve("human3.json");
    List<JsonNode> w = new ArrayList<>();
    JSON.readTree(world.resolve("web_train.json").toFile()).forEach(w::add);
    JSON.writeValue(web.toFile(), w.subList(0, 6));
    List<JsonNode> h = new ArrayList<>();
    JSON.readTree(world.resolve("human_train.json").toFile()).forEach(h::add);
    JSON.writeValue(human.toFile(), h.subList(0, 3));
    model = dir.resolve("tiny-pretrain");
    Blip4j.inferenceThread();
    try (NDManager root = NDManager.newBaseManager();
        BlipPretrainModel m = PretrainJob.randomModel(PretrainJob.modelConfig("tiny", 32), 8, 5, root)) {
      ModelDirectory.save(m, model);
    }
  }

  static Object[] args(Path out, String... more) {
    List<Object> a = new ArrayList<>(List.of("capfilt", "--captioner", model, "--filter", model, "--data", web, "--image-root", images,
        "--human", human, "--out", out, "--shard-size", "4", "--batch-size", "2", "--max-length", "8", "--min-length", "3", "--seed", "3"));
    a.addAll(List.of(more));
    return a.toArray();
  }

  static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  @Test
  void stoppedRunResumesWritesTheDatasetAndReportAndRefusesOtherSettings() throws Exception {
    Path out = dir.resolve("run");
    Cli.Result r = Cli.run(args(out, "--max-shards", "1"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("stopped after 1 new shards: 1 of 2 shards done");
    assertThat(r.err()).contains("capfilt 4/6 images");
    assertThat(out.resolve("shards/00000.json")).exists();
    assertThat(out.resolve("shards/00001.json")).doesNotExist();
    assertThat(out.resolve("bootstrapped.json")).doesNotExist();

    r = Cli.run(args(out));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.err()).contains("resuming: 1 of 2 shards already done").contains("capfilt 6/6 images");
    assertThat(r.out()).contains("capfilt: 6 web samples in 2 shards (1 resumed), 0 skipped for a bad image, 0 bad input records")
        .containsPattern("web captions kept \\d/6, synthetic captions kept \\d/6 \\(threshold 0.5\\)")
        .containsPattern("the filter removes .* of noisy web captions \\(\\d/\\d\\) and keeps .* of clean ones \\(\\d/\\d\\)")
        .contains("bootstrapped dataset " + out.resolve("bootstrapped.json") + ": 3 human + ");

    JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
    assertThat(report.get("web").get("total").asLong()).isEqualTo(6);
    assertThat(report.get("synthetic").get("total").asLong()).isEqualTo(6);
    assertThat(report.get("settings").get("method").asText()).isEqualTo("nucleus");
    JsonNode kinds = report.get("filter_vs_noise_labels").get("kinds");
    long labelled = 0;
    for (JsonNode k : kinds) {
      labelled += k.get("total").asLong();
      assertThat(k.get("itm_histogram")).hasSize(10);
    }
    assertThat(labelled).isEqualTo(6);
    JsonNode boot = JSON.readTree(out.resolve("bootstrapped.json").toFile());
    long kept = report.get("web").get("kept").asLong() + report.get("synthetic").get("kept").asLong();
    assertThat(boot.size()).isEqualTo(3 + kept);
    assertThat(boot.get(0).get("source").asText()).isEqualTo("human");
    for (JsonNode rec : boot) {
      assertThat(images.resolve(rec.get("image").asText())).as("image of %s", rec).isRegularFile();
      assertThat(rec.get("caption").asText()).isNotBlank();
    }
    assertThat(Files.readString(out.resolve("report.md"))).contains("# CapFilt report").contains("| web | 6 |");
    String bootSha = sha256(out.resolve("bootstrapped.json"));
    String reportSha = sha256(out.resolve("report.json"));

    r = Cli.run(args(out, "--json"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode j = r.json().get(0);
    assertThat(j.get("complete").asBoolean()).isTrue();
    assertThat(j.get("resumed_shards").asInt()).isEqualTo(2);
    assertThat(j.get("written_shards").asInt()).isZero();
    assertThat(j.get("report").get("bootstrapped").get("total").asLong()).isEqualTo(3 + kept);
    assertThat(sha256(out.resolve("bootstrapped.json"))).isEqualTo(bootSha);
    assertThat(sha256(out.resolve("report.json"))).isEqualTo(reportSha);

    r = Cli.run(args(out, "--threshold", "0.7"));
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("holds a CapFilt run made with different settings").contains("threshold 0.5 there, 0.7 now");
    assertThat(sha256(out.resolve("report.json"))).isEqualTo(reportSha);
  }

  @Test
  void badOptionsAreUsageErrors() {
    Cli.Result r = Cli.run(args(dir.resolve("bad"), "--method", "greedy"));
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("expected nucleus or beam, got 'greedy'");
    r = Cli.run(args(dir.resolve("bad"), "--method", "beam", "--beam", "2", "--num-captions", "3"));
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("beam search returns at most --beam captions: 3 > 2");
    assertThat(dir.resolve("bad")).doesNotExist();
  }
}
