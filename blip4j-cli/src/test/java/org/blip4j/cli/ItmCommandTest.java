package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.blip4j.cli.Cli.ASTRONAUT;
import static org.blip4j.cli.Cli.CHELSEA;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.blip4j.checkpoint.SafeTensors;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code blip itm} from image files against fixtures/retrieval (io.safetensors itm.* and itc.cosine). */
class ItmCommandTest {
  static final Path MODEL = Fixtures.fixture("retrieval");
  static final List<String> TEXTS = new ArrayList<>();

  static {
    Fixtures.json("retrieval/case.json").get("inputs").get("texts").forEach(t -> TEXTS.add(t.asText()));
  }

  static Object[] args(Path image, String... extra) {
    List<Object> a = new ArrayList<>(List.of("itm", "--model", MODEL, "--image", image));
    for (String t : TEXTS) {
      a.add("--text");
      a.add(t);
    }
    a.addAll(List.of(extra));
    a.add("--json");
    return a.toArray();
  }

  @ParameterizedTest(name = "first token {0}, image {1}")
  @CsvSource({"enc, 0", "enc, 1", "cls, 0", "cls, 1"})
  void scoresMatchTheFixture(String firstToken, int image) {
    Path file = image == 0 ? ASTRONAUT : CHELSEA;
    Cli.Result r = firstToken.equals("enc") ? Cli.run(args(file)) : Cli.run(args(file, "--first-token", "cls"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    SafeTensors io = Fixtures.tensors("retrieval/io.safetensors");
    float[] prob = io.floats("itm.prob_match_" + firstToken); // [2 images, 3 texts]
    float[] logits = io.floats("itm.logits_" + firstToken); // [2, 3, 2]
    float[] cosine = io.floats("itc.cosine"); // [2, 3]
    List<JsonNode> lines = r.json();
    assertThat(lines).hasSize(3);
    for (int t = 0; t < 3; t++) {
      JsonNode l = lines.get(t);
      int k = image * 3 + t;
      assertThat(l.get("image").asText()).isEqualTo(file.toString());
      assertThat(l.get("text").asText()).isEqualTo(TEXTS.get(t));
      assertThat(l.get("itm_match_prob").asDouble()).as("prob text %d", t).isCloseTo(prob[k], within(1e-4));
      assertThat(l.get("itm_logits")).hasSize(2);
      assertThat(l.get("itm_logits").get(0).asDouble()).isCloseTo(logits[2 * k], within(1e-4));
      assertThat(l.get("itm_logits").get(1).asDouble()).isCloseTo(logits[2 * k + 1], within(1e-4));
      assertThat(l.get("itc_cosine").asDouble()).as("cosine text %d", t).isCloseTo(cosine[k], within(1e-4));
    }
  }

  @Test
  void theDefaultFirstTokenIsEnc() {
    // the two fixture variants differ, so this tells which one the default is
    float[] enc = Fixtures.tensors("retrieval/io.safetensors").floats("itm.prob_match_enc");
    float[] cls = Fixtures.tensors("retrieval/io.safetensors").floats("itm.prob_match_cls");
    assertThat(Math.abs(enc[0] - cls[0])).isGreaterThan(1e-3f);
    Cli.Result r = Cli.run(args(ASTRONAUT));
    assertThat(r.json().get(0).get("itm_match_prob").asDouble()).isCloseTo(enc[0], within(1e-4));
  }

  @Test
  void anEmptyTextIsScoredAsClsSep() {
    Cli.Result r = Cli.run("itm", "--model", MODEL, "--image", ASTRONAUT, "--text", "", "--text", TEXTS.get(0), "--json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    List<JsonNode> lines = r.json();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).get("text").asText()).isEmpty();
    assertThat(lines.get(0).get("itm_match_prob").asDouble()).isBetween(0.0, 1.0);
    assertThat(lines.get(0).get("itc_cosine").asDouble()).isBetween(-1.0, 1.0);
    // the other text of the same call is unaffected by the empty one
    float[] prob = Fixtures.tensors("retrieval/io.safetensors").floats("itm.prob_match_enc");
    assertThat(lines.get(1).get("itm_match_prob").asDouble()).isCloseTo(prob[0], within(1e-4));
  }

  @Test
  void textOutputHasOneLinePerText() {
    Cli.Result r = Cli.run("itm", "--model", MODEL, "--image", ASTRONAUT, "--text", TEXTS.get(0), "--text", TEXTS.get(1));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    String[] lines = r.out().split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0]).startsWith(ASTRONAUT + ": itm_match_prob=").endsWith("\"" + TEXTS.get(0) + "\"");
  }

  @Test
  void aModelOfAnotherClassIsRejectedByName() {
    Cli.Result r = Cli.run("itm", "--model", Fixtures.fixture("caption"), "--image", ASTRONAUT, "--text", "a cat", "--json");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains(Fixtures.fixture("caption").toString())
        .contains("BlipForConditionalGeneration").contains("BlipForImageTextRetrieval").doesNotContain("\tat ");
  }

  @Test
  void aMissingImageExitsOne() {
    Path missing = ASTRONAUT.resolveSibling("missing.png");
    Cli.Result r = Cli.run("itm", "--model", MODEL, "--image", missing, "--text", "a cat", "--json");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("error: " + missing + ": ");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void usageErrors() {
    assertThat(Cli.run("itm", "--model", MODEL, "--image", ASTRONAUT, "--text", "a", "--first-token", "sep").exitCode()).isEqualTo(2);
    assertThat(Cli.run("itm", "--model", MODEL, "--image", ASTRONAUT).exitCode()).as("no text").isEqualTo(2);
    assertThat(Cli.run("itm", "--model", MODEL, "--text", "a").exitCode()).as("no image").isEqualTo(2);
  }
}
