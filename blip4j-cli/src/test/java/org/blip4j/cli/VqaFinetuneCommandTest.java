package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code blip finetune vqa} from a (one-step) pre-trained tiny model on a tiny generated Shapes world,
 * then {@code blip eval vqa} in rank mode (answer list found beside the annotations) and generate
 * mode, and {@code blip vqa --mode rank}; bad answer lists and missing options are refused by name.
 */
class VqaFinetuneCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;

  static String config(Path shapes, String initLine, String dataset) {
    return """
        {
          %s "image_size": 32,
          "shapes": {"dir": "%s", "scale": 0.01, "noise": 0.4, "image_size": 48, "seed": 3},
          "datasets": [{"shapes": "%s"}],
          "batch_size": 4, "epochs": 1,
          "lr": {"schedule": "cosine", "init_lr": 1e-3, "min_lr": 1e-6, "warmup_lr": 1e-6, "warmup_steps": 0, "decay_rate": 0.9},
          "queue_size": 8, "min_crop_scale": 0.5, "rand_augment": false,
          "seed": 7, "loader_threads": 1, "log_every": 1
        }
        """.formatted(initLine, shapes.toString().replace("\\", "/"), dataset);
  }

  @Test
  void finetunedVqaModelIsEvaluatedInRankAndGenerateMode() throws Exception {
    Path shapes = dir.resolve("shapes");
    Path preConfig = dir.resolve("pre.json");
    Files.writeString(preConfig, config(shapes, "\"model\": \"tiny\",", "human_train"));
    Path pre = dir.resolve("pre");
    Cli.Result r = Cli.run("pretrain", "--config", preConfig, "--out", pre, "--max-steps", "1");
    assertThat(r.exitCode()).as(r.toString()).isZero();

    Path ftConfig = dir.resolve("ft.json");
    Files.writeString(ftConfig, config(shapes, "\"init\": \"" + pre.resolve("model").toString().replace("\\", "/") + "\",", "vqa_train"));
    Path ft = dir.resolve("ft");
    r = Cli.run("finetune", "vqa", "--config", ftConfig, "--out", ft, "--max-steps", "3");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("fine-tuned (vqa) 3 steps");
    List<String> metrics = Files.readAllLines(ft.resolve("metrics.jsonl")).stream().filter(l -> !l.isBlank()).toList();
    assertThat(metrics).hasSize(3).allMatch(l -> l.contains("\"loss\":"));
    JsonNode config = JSON.readTree(ft.resolve("model/config.json").toFile());
    assertThat(config.get("architectures").get(0).asText()).isEqualTo("BlipForQuestionAnswering");

    List<String> answerList = new ArrayList<>();
    JSON.readTree(shapes.resolve("answer_list.json").toFile()).forEach(n -> answerList.add(n.asText()));
    int questions = JSON.readTree(shapes.resolve("vqa_test.json").toFile()).size();
    Path preds = dir.resolve("rank.jsonl");
    r = Cli.run("eval", "vqa", "--model", ft.resolve("model"), "--ann", shapes.resolve("vqa_test.json"), "--image-root", shapes.resolve("images"),
        "--mode", "rank", "--k-test", "8", "--json", "--out", preds);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode summary = r.json().get(0);
    assertThat(summary.get("task").asText()).isEqualTo("vqa");
    assertThat(summary.get("accuracy").asDouble()).isBetween(0.0, 100.0);
    assertThat(summary.get("n").asInt()).isEqualTo(questions);
    assertThat(summary.get("skipped").asInt()).isZero();
    List<String> lines = Files.readAllLines(preds).stream().filter(l -> !l.isBlank()).toList();
    assertThat(lines).hasSize(questions);
    for (String line : lines) {
      JsonNode o = JSON.readTree(line);
      assertThat(answerList).as("ranked answers come from the answer list").contains(o.get("answer").asText());
      assertThat(o.get("accuracy").asDouble()).isIn(0.0, 1.0);
    }

    r = Cli.run("eval", "vqa", "--model", ft.resolve("model"), "--ann", shapes.resolve("vqa_test.json"), "--image-root", shapes.resolve("images"),
        "--json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.json().get(0).get("n").asInt()).isEqualTo(questions);

    JsonNode first = JSON.readTree(shapes.resolve("vqa_test.json").toFile()).get(0);
    Path image = shapes.resolve("images").resolve(first.get("image").asText());
    r = Cli.run("vqa", "--model", ft.resolve("model"), "--mode", "rank", "--answer-list", shapes.resolve("answer_list.json"), "--k-test", "4",
        "--image", image, "--question", first.get("question").asText(), "--json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(answerList).contains(r.json().get(0).get("answer").asText());
    assertThat(answerList.get(r.json().get(0).get("answer_index").asInt())).isEqualTo(r.json().get(0).get("answer").asText());

    r = Cli.run("vqa", "--model", ft.resolve("model"), "--mode", "rank", "--image", image, "--question", "what?");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--mode rank needs --answer-list");
    Path bad = dir.resolve("bad_answers.json");
    Files.writeString(bad, "[\"yes\", \"no\", \"yes\"]");
    r = Cli.run("eval", "vqa", "--model", ft.resolve("model"), "--ann", shapes.resolve("vqa_test.json"), "--image-root", shapes.resolve("images"),
        "--mode", "rank", "--answer-list", bad);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains(bad.toString()).contains("\"yes\" is listed twice");
    r = Cli.run("eval", "vqa", "--model", ft.resolve("model"), "--ann", preConfig, "--image-root", shapes.resolve("images"), "--mode", "rank");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("--mode rank needs --answer-list FILE (no answer_list.json beside");
  }
}
