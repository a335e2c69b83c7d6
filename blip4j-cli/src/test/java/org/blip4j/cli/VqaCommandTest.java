package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.blip4j.cli.Cli.ASTRONAUT;
import static org.blip4j.cli.Cli.CHELSEA;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code blip vqa} from image files against fixtures/vqa (a batch of two questions). */
class VqaCommandTest {
  static final Path MODEL = Fixtures.fixture("vqa");
  static final JsonNode CASE = Fixtures.json("vqa/case.json");
  static final List<String> QUESTIONS = new ArrayList<>();

  static {
    CASE.get("inputs").get("questions").forEach(q -> QUESTIONS.add(q.asText()));
  }

  static Cli.Result ask(String... options) {
    List<Object> a = new ArrayList<>(List.of("vqa", "--model", MODEL,
        "--image", ASTRONAUT, "--question", QUESTIONS.get(0), "--image", CHELSEA, "--question", QUESTIONS.get(1), "--json"));
    a.addAll(List.of(options));
    return Cli.run(a.toArray());
  }

  void assertCase(Cli.Result r, String name) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode gen = CASE.get("generation").get(name);
    List<JsonNode> lines = r.json();
    assertThat(lines).hasSize(2);
    Path[] images = {ASTRONAUT, CHELSEA};
    for (int i = 0; i < 2; i++) {
      assertThat(lines.get(i).get("image").asText()).isEqualTo(images[i].toString());
      assertThat(lines.get(i).get("question").asText()).isEqualTo(QUESTIONS.get(i));
      assertThat(Cli.longs(lines.get(i).get("token_ids"))).as("%s row %d", name, i).isEqualTo(Cli.expectedIds(gen.get("sequences"), i));
      assertThat(lines.get(i).get("answer").asText()).isEqualTo(gen.get("decoded_skip_special").get(i).asText());
    }
  }

  @Test
  void greedyBatchMatchesHf() {
    assertThat(QUESTIONS).containsExactly("what is the woman holding?", "how many cats are there");
    assertCase(ask("--beams", "1", "--max-length", "10"), "greedy");
  }

  @Test
  void defaultsAreBeam3Max10Min1() {
    assertCase(ask(), "beam3");
  }

  @Test
  void paddingAfterSepIsRemovedButSepKept() {
    // greedy row 1 is [DEC] ... [SEP] [PAD] in the fixture
    JsonNode row = CASE.get("generation").get("greedy").get("sequences").get(1);
    assertThat(row.get(row.size() - 1).asLong()).isZero();
    long[] ids = Cli.longs(ask("--beams", "1", "--max-length", "10").json().get(1).get("token_ids"));
    assertThat(ids[ids.length - 1]).isEqualTo(102);
    assertThat(ids).hasSize(row.size() - 1);
  }

  @Test
  void textOutput() {
    Cli.Result r = Cli.run("vqa", "--model", MODEL, "--image", ASTRONAUT, "--question", QUESTIONS.get(0), "--image", CHELSEA,
        "--question", QUESTIONS.get(1));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode answers = CASE.get("generation").get("beam3").get("decoded_skip_special");
    assertThat(r.out().split("\n")).containsExactly(
        ASTRONAUT + ": " + QUESTIONS.get(0) + " -> " + answers.get(0).asText(),
        CHELSEA + ": " + QUESTIONS.get(1) + " -> " + answers.get(1).asText());
  }

  @Test
  void aBadImageDropsItsPairOnly(@TempDir Path tmp) throws Exception {
    Path bad = Files.writeString(tmp.resolve("bad.jpg"), "not a jpeg");
    Cli.Result r = Cli.run("vqa", "--model", MODEL, "--image", bad, "--question", "what is this?", "--image", CHELSEA,
        "--question", QUESTIONS.get(1), "--json");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("error: " + bad + ": ");
    List<JsonNode> lines = r.json();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0).get("image").asText()).isEqualTo(CHELSEA.toString());
    assertThat(lines.get(0).get("question").asText()).isEqualTo(QUESTIONS.get(1));
    assertThat(lines.get(0).get("token_ids").get(0).asLong()).isEqualTo(30522);
  }

  @Test
  void mismatchedImageAndQuestionCountsAreAUsageError() {
    Cli.Result r = Cli.run("vqa", "--model", MODEL, "--image", ASTRONAUT, "--question", "a?", "--question", "b?");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("1 --image but 2 --question");
    assertThat(Cli.run("vqa", "--model", MODEL, "--image", ASTRONAUT, "--question", "a?", "--beams", "0").exitCode()).isEqualTo(2);
  }
}
