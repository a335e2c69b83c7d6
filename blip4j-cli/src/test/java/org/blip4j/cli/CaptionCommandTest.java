package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.blip4j.cli.Cli.ASTRONAUT;
import static org.blip4j.cli.Cli.CHELSEA;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code blip caption} from image files against fixtures/caption (HF 4.32 generate). */
class CaptionCommandTest {
  static final Path MODEL = Fixtures.fixture("caption");
  static final JsonNode GENERATION = Fixtures.json("caption/case.json").get("generation");

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("greedy_prompt", List.of("--beams", "1", "--max-length", "20", "--min-length", "0")),
        Arguments.of("beam3_prompt", List.of("--beams", "3", "--max-length", "20", "--min-length", "5")),
        Arguments.of("greedy_noprompt", List.of("--no-prompt", "--beams", "1", "--max-length", "20", "--min-length", "0")),
        Arguments.of("beam3_noprompt", List.of("--no-prompt", "--beams", "3", "--max-length", "20", "--min-length", "5")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void jsonLinesCarryHfIdsAndCaptions(String name, List<String> options) {
    List<Object> args = new ArrayList<>(List.of("caption", "--model", MODEL));
    args.addAll(options);
    args.addAll(List.of(ASTRONAUT, CHELSEA, "--json"));
    Cli.Result r = Cli.run(args.toArray());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    List<JsonNode> lines = r.json();
    assertThat(lines).hasSize(2);
    JsonNode gen = GENERATION.get(name);
    Path[] images = {ASTRONAUT, CHELSEA};
    for (int i = 0; i < 2; i++) {
      JsonNode line = lines.get(i);
      assertThat(line.get("image").asText()).isEqualTo(images[i].toString());
      assertThat(Cli.longs(line.get("token_ids"))).as("%s image %d", name, i).isEqualTo(Cli.expectedIds(gen.get("sequences"), i));
      assertThat(line.get("caption").asText()).isEqualTo(gen.get("caption_after_prompt").get(i).asText());
    }
  }

  @Test
  void defaultsAreBeam3Max20Min5WithPrompt() {
    Cli.Result r = Cli.run("caption", "--model", MODEL, "--json", ASTRONAUT, CHELSEA);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode gen = GENERATION.get("beam3_prompt");
    for (int i = 0; i < 2; i++) {
      assertThat(Cli.longs(r.json().get(i).get("token_ids"))).isEqualTo(Cli.expectedIds(gen.get("sequences"), i));
    }
  }

  @Test
  void aRowThatHitMaxLengthKeepsAllItsIds() {
    // beam3_prompt row 0 is 20 ids long without [SEP]; nothing may be stripped from it
    JsonNode row = GENERATION.get("beam3_prompt").get("sequences").get(0);
    assertThat(row.size()).isEqualTo(20);
    Cli.Result r = Cli.run("caption", "--model", MODEL, "--json", ASTRONAUT);
    assertThat(r.json().get(0).get("token_ids")).hasSize(20);
    assertThat(r.json().get(0).get("token_ids").get(19).asLong()).isEqualTo(row.get(19).asLong());
  }

  @Test
  void numCaptionsWithBeamsGivesTheBestBeamFirst() {
    Cli.Result r = Cli.run("caption", "--model", MODEL, "--json", "--num-captions", "2", ASTRONAUT, CHELSEA);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    List<JsonNode> lines = r.json();
    assertThat(lines).extracting(l -> l.get("image").asText())
        .containsExactly(ASTRONAUT.toString(), ASTRONAUT.toString(), CHELSEA.toString(), CHELSEA.toString());
    JsonNode gen = GENERATION.get("beam3_prompt");
    assertThat(Cli.longs(lines.get(0).get("token_ids"))).isEqualTo(Cli.expectedIds(gen.get("sequences"), 0));
    assertThat(Cli.longs(lines.get(2).get("token_ids"))).isEqualTo(Cli.expectedIds(gen.get("sequences"), 1));
    assertThat(lines.get(1).get("token_ids")).isNotEqualTo(lines.get(0).get("token_ids"));
  }

  @Test
  void samplingIsSeededAndGivesNumCaptionsPerImage() {
    Object[] args = {"caption", "--model", MODEL, "--json", "--sample", "--seed", "7", "--num-captions", "3", ASTRONAUT, CHELSEA};
    Cli.Result a = Cli.run(args);
    Cli.Result b = Cli.run(args);
    assertThat(a.exitCode()).as(a.toString()).isZero();
    assertThat(a.out()).isEqualTo(b.out());
    List<JsonNode> lines = a.json();
    assertThat(lines).hasSize(6);
    long[] prompt = java.util.Arrays.copyOf(Cli.expectedIds(GENERATION.get("greedy_prompt").get("sequences"), 1), 4); // [DEC] a picture of
    for (JsonNode line : lines) {
      long[] ids = Cli.longs(line.get("token_ids"));
      assertThat(ids.length).isBetween(5, 20);
      assertThat(java.util.Arrays.copyOf(ids, 4)).isEqualTo(prompt);
    }
  }

  @Test
  void textOutputAndPerBatchProgressOnStderr() {
    Cli.Result r = Cli.run("caption", "--model", MODEL, "--batch-size", "1", ASTRONAUT, CHELSEA);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode captions = GENERATION.get("beam3_prompt").get("caption_after_prompt");
    assertThat(r.out().split("\n")).containsExactly(
        ASTRONAUT + ": " + captions.get(0).asText(), CHELSEA + ": " + captions.get(1).asText());
    assertThat(r.err()).contains("captioned 1/2 images").contains("captioned 2/2 images").contains("images/s").contains("ETA");
  }

  @Test
  void noProgressForOneBatchOrJson() {
    assertThat(Cli.run("caption", "--model", MODEL, ASTRONAUT, CHELSEA).err()).doesNotContain("captioned");
    assertThat(Cli.run("caption", "--model", MODEL, "--json", "--batch-size", "1", ASTRONAUT, CHELSEA).err()).doesNotContain("captioned");
  }

  @Test
  void aMissingImageIsReportedAndTheOthersAreStillCaptioned(@TempDir Path tmp) {
    Path missing = tmp.resolve("no-such-image.png");
    Cli.Result r = Cli.run("caption", "--model", MODEL, "--json", missing, CHELSEA);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("error: " + missing + ": ").contains("not found");
    List<JsonNode> lines = r.json();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0).get("image").asText()).isEqualTo(CHELSEA.toString());
    assertThat(Cli.longs(lines.get(0).get("token_ids"))).isEqualTo(Cli.expectedIds(GENERATION.get("beam3_prompt").get("sequences"), 1));
  }

  @Test
  void corruptImagesAreReportedOneLineEach(@TempDir Path tmp) throws Exception {
    Path empty = Files.write(tmp.resolve("empty.png"), new byte[0]);
    Path text = Files.writeString(tmp.resolve("notes.png"), "this is not a picture");
    Cli.Result r = Cli.run("caption", "--model", MODEL, "--json", empty, ASTRONAUT, text);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("error: " + empty + ": ").contains("error: " + text + ": ").doesNotContain("\tat ");
    assertThat(r.json()).extracting(l -> l.get("image").asText()).containsExactly(ASTRONAUT.toString());
  }

  @Test
  void onlyBadImagesExitOneWithNoOutput(@TempDir Path tmp) throws Exception {
    Path empty = Files.write(tmp.resolve("empty.png"), new byte[0]);
    Cli.Result r = Cli.run("caption", "--model", MODEL, "--json", empty);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(Cli.run("caption", "--model", MODEL, "--beams", "0", ASTRONAUT)).satisfies(r -> {
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err()).contains("--beams must be >= 1");
    });
    assertThat(Cli.run("caption", "--model", MODEL, "--prompt", "a photo of", "--no-prompt", ASTRONAUT)).satisfies(r -> {
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err()).contains("mutually exclusive");
    });
    assertThat(Cli.run("caption", "--model", MODEL, "--beams", "2", "--sample", ASTRONAUT)).satisfies(r -> {
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err()).contains("mutually exclusive");
    });
    assertThat(Cli.run("caption", "--model", MODEL, "--top-p", "0.5", ASTRONAUT)).satisfies(r -> {
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err()).contains("--sample");
    });
    assertThat(Cli.run("caption", "--model", MODEL, "--min-length", "30", ASTRONAUT).exitCode()).isEqualTo(2);
    assertThat(Cli.run("caption", "--model", MODEL, "--beams", "1", "--num-captions", "2", ASTRONAUT).exitCode()).isEqualTo(2);
    assertThat(Cli.run("caption", "--model", MODEL, "--batch-size", "0", ASTRONAUT).exitCode()).isEqualTo(2);
    assertThat(Cli.run("caption", "--model", MODEL).exitCode()).as("no image").isEqualTo(2);
    assertThat(Cli.run("caption", ASTRONAUT).exitCode()).as("no model").isEqualTo(2);
  }
}
