package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code blip nlvr} on the original BLIP_NLVR fixture (original/nlvr): pair i = (left image i, right
 * image i) with text i; logits against io.safetensors {@code prediction} [2, 2].
 */
class NlvrCommandTest {
  static final Path MODEL = Fixtures.fixture("original/nlvr/model.pth");
  static final Path[] LEFT = {Fixtures.fixture("preprocess/images/astronaut.png"), Fixtures.fixture("preprocess/images/rocket.jpg")};
  static final Path[] RIGHT = {Fixtures.fixture("preprocess/images/chelsea.png"), Fixtures.fixture("preprocess/images/astronaut_rgba_portrait.png")};
  static final List<String> TEXTS = new ArrayList<>();

  static {
    Fixtures.json("original/nlvr/case.json").get("inputs").get("texts").forEach(t -> TEXTS.add(t.asText()));
  }

  /** Checks one {@code --json} line against row {@code row} of the fixture tensor {@code tensor}. */
  static void assertLine(JsonNode line, String tensor, int row, Path a, Path b, String text) {
    float[] expected = Fixtures.tensors("original/nlvr/io.safetensors").floats(tensor);
    double l0 = expected[2 * row];
    double l1 = expected[2 * row + 1];
    assertThat(line.get("images")).hasSize(2);
    assertThat(line.get("images").get(0).asText()).isEqualTo(a.toString());
    assertThat(line.get("images").get(1).asText()).isEqualTo(b.toString());
    assertThat(line.get("text").asText()).isEqualTo(text);
    assertThat(line.get("logits")).hasSize(2);
    assertThat(line.get("logits").get(0).asDouble()).as("%s row %d logit 0", tensor, row).isCloseTo(l0, within(1e-4));
    assertThat(line.get("logits").get(1).asDouble()).as("%s row %d logit 1", tensor, row).isCloseTo(l1, within(1e-4));
    assertThat(line.get("prob_true").asDouble()).isCloseTo(Math.exp(l1) / (Math.exp(l0) + Math.exp(l1)), within(1e-4));
    assertThat(line.get("prediction").isBoolean()).isTrue();
    assertThat(line.get("prediction").asBoolean()).isEqualTo(l1 > l0);
  }

  @ParameterizedTest(name = "pair {0}")
  @ValueSource(ints = {0, 1})
  void jsonLineMatchesTheOriginalModel(int row) {
    Cli.Result r = Cli.run("nlvr", "--model", MODEL, "--image-a", LEFT[row], "--image-b", RIGHT[row], "--text", TEXTS.get(row), "--json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.json()).hasSize(1);
    assertLine(r.json().get(0), "prediction", row, LEFT[row], RIGHT[row], TEXTS.get(row));
  }

  @Test
  void imageAIsTheLeftImage() {
    // the fixture with left and right swapped differs, so this tells the order apart
    Cli.Result r = Cli.run("nlvr", "--model", MODEL, "--image-a", RIGHT[0], "--image-b", LEFT[0], "--text", TEXTS.get(0), "--json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertLine(r.json().get(0), "prediction_images_swapped", 0, RIGHT[0], LEFT[0], TEXTS.get(0));
  }

  @Test
  void textOutputIsOneReadableLine() {
    float[] expected = Fixtures.tensors("original/nlvr/io.safetensors").floats("prediction");
    Cli.Result r = Cli.run("nlvr", "--model", MODEL, "--image-a", LEFT[0], "--image-b", RIGHT[0], "--text", TEXTS.get(0));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    String[] lines = r.out().split("\n");
    assertThat(lines).hasSize(1);
    assertThat(lines[0]).startsWith(LEFT[0] + " + " + RIGHT[0] + ": " + (expected[1] > expected[0]) + " (prob_true=")
        .endsWith("\"" + TEXTS.get(0) + "\"");
  }

  @Test
  void aMissingImageIsNamedAndExitsOne() {
    Path missing = LEFT[0].resolveSibling("missing.png");
    Cli.Result r = Cli.run("nlvr", "--model", MODEL, "--image-a", LEFT[0], "--image-b", missing, "--text", TEXTS.get(0), "--json");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("error: " + missing + ": ").doesNotContain("\tat ");
  }

  @Test
  void aModelOfAnotherClassIsRejectedByName() {
    Path caption = Fixtures.fixture("caption");
    Cli.Result r = Cli.run("nlvr", "--model", caption, "--image-a", LEFT[0], "--image-b", RIGHT[0], "--text", "a", "--json");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains(caption.toString()).contains("BlipForConditionalGeneration").contains("BlipForNlvr2");
  }

  @Test
  void usageErrors() {
    assertThat(Cli.run("nlvr", "--model", MODEL, "--image-a", LEFT[0], "--image-b", RIGHT[0]).exitCode()).as("no text").isEqualTo(2);
    assertThat(Cli.run("nlvr", "--model", MODEL, "--image-a", LEFT[0], "--text", "a").exitCode()).as("no image b").isEqualTo(2);
  }
}
