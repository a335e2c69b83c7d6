package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.blip4j.data.shapes.ShapesConfig;
import org.blip4j.data.shapes.ShapesGenerator;
import org.blip4j.data.shapes.ShapesProgressListener;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code blip eval ...} with the tiny fixture models on a generated Shapes world (5 test images, 9 questions, 3 pairs). */
class EvalCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static Path world;
  static Path root;

  @BeforeAll
  static void generate() throws IOException {
    world = dir.resolve("world");
    new ShapesGenerator(new ShapesConfig(0.005, 0.4, 64, 3, 2)).generate(world, ShapesProgressListener.none());
    root = world.resolve("images");
  }

  static JsonNode single(Cli.Result r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.json()).as(r.toString()).hasSize(1);
    return r.json().get(0);
  }

  static List<String> keys(JsonNode o) {
    List<String> k = new ArrayList<>();
    o.fieldNames().forEachRemaining(k::add);
    return k;
  }

  @Test
  void retrievalJsonIsOneObjectWithBlipsKeysAndOutWritesRanks() throws IOException {
    Path out = dir.resolve("ranks.jsonl");
    JsonNode o = single(Cli.run("eval", "retrieval", "--model", Fixtures.fixture("retrieval"), "--ann", world.resolve("test.json"),
        "--image-root", root, "--k-test", "4", "--batch", "16", "--json", "--out", out));
    assertThat(keys(o)).containsExactly("task", "txt_r1", "txt_r5", "txt_r10", "txt_r_mean", "img_r1", "img_r5", "img_r10", "img_r_mean",
        "r_mean", "n", "skipped");
    assertThat(o.get("n").asInt()).isEqualTo(5);
    assertThat(o.get("skipped").asInt()).isZero();
    assertThat(o.get("r_mean").asDouble()).isCloseTo((o.get("txt_r_mean").asDouble() + o.get("img_r_mean").asDouble()) / 2, within(1e-9));
    // 5 images: every image is within the top 5 and 10 of each text's ranking
    assertThat(o.get("img_r5").asDouble()).isEqualTo(100.0);
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(5 + 25);
    JsonNode first = JSON.readTree(lines.get(0));
    assertThat(first.get("kind").asText()).isEqualTo("image");
    assertThat(first.get("top_texts")).hasSize(5);
    JsonNode text = JSON.readTree(lines.get(5));
    assertThat(text.get("kind").asText()).isEqualTo("text");
    assertThat(text.get("image").asInt()).isZero();
    // txt_r1 is the share of images whose rank is 0
    long rank0 = lines.subList(0, 5).stream().map(EvalCommandTest::parse).filter(l -> l.get("rank").asInt() == 0).count();
    assertThat(o.get("txt_r1").asDouble()).isCloseTo(100.0 * rank0 / 5, within(1e-9));
  }

  @Test
  void retrievalScoringItcRanksByTheSimilarityAloneWhateverKTest() {
    JsonNode k1 = single(Cli.run("eval", "retrieval", "--model", Fixtures.fixture("retrieval"), "--ann", world.resolve("test.json"),
        "--image-root", root, "--k-test", "1", "--scoring", "itc", "--json"));
    JsonNode all = single(Cli.run("eval", "retrieval", "--model", Fixtures.fixture("retrieval"), "--ann", world.resolve("test.json"),
        "--image-root", root, "--k-test", "1000", "--scoring", "itc", "--json"));
    assertThat(keys(k1)).isEqualTo(keys(all));
    assertThat(k1).isEqualTo(all);
    // BLIP's scoring with k_test 1 leaves every other candidate at -100: the image is either first or tied far behind
    JsonNode blipK1 = single(Cli.run("eval", "retrieval", "--model", Fixtures.fixture("retrieval"), "--ann", world.resolve("test.json"),
        "--image-root", root, "--k-test", "1", "--json"));
    assertThat(keys(blipK1)).isEqualTo(keys(all));
    assertThat(blipK1).as("--scoring itc must change the ranking here").isNotEqualTo(all);
  }

  static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void captionJsonHasCocoMetricNamesAndTextOutputIsATable() throws IOException {
    Path out = dir.resolve("captions.jsonl");
    JsonNode o = single(Cli.run("eval", "caption", "--model", Fixtures.fixture("caption"), "--ann", world.resolve("test.json"),
        "--image-root", root, "--json", "--out", out));
    assertThat(keys(o)).containsExactly("task", "Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr", "n", "skipped");
    assertThat(o.get("n").asInt()).isEqualTo(5);
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(5);
    assertThat(parse(lines.get(0)).get("references")).hasSize(5);
    assertThat(parse(lines.get(0)).get("caption").asText()).doesNotStartWith("a picture of");

    Cli.Result text = Cli.run("eval", "caption", "--model", Fixtures.fixture("caption"), "--ann", world.resolve("test.json"),
        "--image-root", root, "--beam", "1");
    assertThat(text.exitCode()).as(text.toString()).isZero();
    assertThat(text.out()).contains("caption evaluation of").containsPattern("(?m)^  CIDEr +\\d+\\.\\d{4}$")
        .containsPattern("(?m)^  n +5$").containsPattern("(?m)^  skipped +0$");
    assertThat(text.err()).contains("captioning 5/5");
  }

  @Test
  void vqaAndNlvrReportAccuracy() {
    JsonNode v = single(Cli.run("eval", "vqa", "--model", Fixtures.fixture("vqa"), "--ann", world.resolve("vqa_test.json"),
        "--image-root", root, "--json"));
    assertThat(keys(v)).containsExactly("task", "accuracy", "n", "skipped");
    assertThat(v.get("n").asInt()).isEqualTo(9);
    assertThat(v.get("accuracy").asDouble()).isBetween(0.0, 100.0);
    JsonNode n = single(Cli.run("eval", "nlvr", "--model", Fixtures.fixture("original/nlvr/model.pth"), "--ann", world.resolve("nlvr_test.json"),
        "--image-root", root, "--json"));
    assertThat(keys(n)).containsExactly("task", "accuracy", "n", "skipped");
    assertThat(n.get("n").asInt()).isEqualTo(3);
    assertThat(n.get("accuracy").asDouble() * 3 / 100).as("a multiple of 1/3").isCloseTo(Math.rint(n.get("accuracy").asDouble() * 3 / 100), within(1e-9));
  }

  @Test
  void badImagesAreSkippedCountedAndNotFatal() throws IOException {
    Files.writeString(root.resolve("broken.png"), "not a png");
    ArrayNode recs = (ArrayNode) JSON.readTree(world.resolve("nlvr_test.json").toFile());
    ObjectNode bad = recs.get(0).deepCopy();
    ((ArrayNode) bad.get("images")).set(1, JSON.getNodeFactory().textNode("broken.png"));
    recs.add(bad);
    ObjectNode missing = recs.get(1).deepCopy();
    ((ArrayNode) missing.get("images")).set(0, JSON.getNodeFactory().textNode("nowhere.png"));
    recs.insert(0, missing);
    Path ann = dir.resolve("nlvr_bad.json");
    JSON.writeValue(ann.toFile(), recs);
    Cli.Result r = Cli.run("eval", "nlvr", "--model", Fixtures.fixture("original/nlvr/model.pth"), "--ann", ann, "--image-root", root, "--json");
    JsonNode o = single(r);
    assertThat(o.get("n").asInt()).isEqualTo(3);
    assertThat(o.get("skipped").asInt()).isEqualTo(2);
    assertThat(r.err()).contains("2 bad samples skipped: MISSING_IMAGE=1, NOT_AN_IMAGE=1");
  }

  @Test
  void missingFilesAreNamedWithExitOne() {
    Path nope = world.resolve("nope.json");
    Cli.Result r = Cli.run("eval", "vqa", "--model", Fixtures.fixture("vqa"), "--ann", nope, "--image-root", root, "--json");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("error: " + nope + ": annotation file not found").doesNotContain("\tat ");

    Path noModel = dir.resolve("no-model");
    Cli.Result m = Cli.run("eval", "nlvr", "--model", noModel, "--ann", world.resolve("nlvr_test.json"), "--image-root", root);
    assertThat(m.exitCode()).isEqualTo(1);
    assertThat(m.err()).startsWith("error: ").contains(noModel.toString());

    Cli.Result wrongKind = Cli.run("eval", "nlvr", "--model", Fixtures.fixture("original/nlvr/model.pth"), "--ann", world.resolve("test.json"),
        "--image-root", root);
    assertThat(wrongKind.exitCode()).isEqualTo(1);
    assertThat(wrongKind.err()).contains("error: " + world.resolve("test.json") + ": expected NLVR records");
  }

  @Test
  void usageErrors() {
    assertThat(Cli.run("eval", "retrieval", "--model", Fixtures.fixture("retrieval"), "--image-root", root).exitCode()).as("no --ann").isEqualTo(2);
    assertThat(Cli.run("eval", "retrieval", "--model", Fixtures.fixture("retrieval"), "--ann", world.resolve("test.json"), "--image-root", root,
        "--k-test", "0").exitCode()).as("k 0").isEqualTo(2);
    assertThat(Cli.run("eval", "retrieval", "--model", Fixtures.fixture("retrieval"), "--ann", world.resolve("test.json"), "--image-root", root,
        "--scoring", "itm").exitCode()).as("unknown scoring").isEqualTo(2);
    assertThat(Cli.run("eval").exitCode()).as("no subcommand").isEqualTo(2);
  }
}
