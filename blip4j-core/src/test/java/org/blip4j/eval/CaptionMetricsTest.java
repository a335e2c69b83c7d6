package org.blip4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CaptionMetrics} and its scorers against {@code metrics/caption/expected_scores.json} (pycocoevalcap v1.2). */
class CaptionMetricsTest {
  private static final double ABS = 1e-12;
  private static final double REL = 1e-9;
  private static final JsonNode EXPECTED = Fixtures.json("metrics/caption/expected_scores.json");
  private static final JsonNode PTB = Fixtures.json("metrics/caption/ptb_tokenization.json");

  private static CaptionMetrics.Result<Long> evaluateFixture() {
    return CocoCaptionFiles.read(
            Fixtures.fixture("metrics/caption/annotations.json"), Fixtures.fixture("metrics/caption/results.json"))
        .evaluate();
  }

  @Test
  void corpusScoresFromRawFilesMatch() {
    CaptionMetrics.Result<Long> r = evaluateFixture();
    assertThat(r.corpus().keySet()).containsExactly("Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr");
    for (String m : CaptionMetrics.METRICS) {
      double expected = EXPECTED.get("corpus").get(m).asDouble();
      assertThat(r.corpus().get(m)).as(m).isCloseTo(expected, within(ABS));
      System.out.printf("caption %-8s %.17g expected %.17g diff %.3g%n", m, r.corpus().get(m), expected, r.corpus().get(m) - expected);
    }
  }

  @Test
  void everyPerImageScoreMatches() {
    CaptionMetrics.Result<Long> r = evaluateFixture();
    List<Long> order = new ArrayList<>();
    EXPECTED.get("image_order").forEach(n -> order.add(n.asLong()));
    assertThat(r.perImage().keySet()).containsExactlyElementsOf(order);
    JsonNode evalImgs = EXPECTED.get("evalImgs");
    assertThat(evalImgs.size()).isEqualTo(40);
    double maxAbs = 0;
    for (JsonNode e : evalImgs) {
      long id = e.get("image_id").asLong();
      for (String m : CaptionMetrics.METRICS) {
        double expected = e.get(m).asDouble();
        double actual = r.perImage().get(id).get(m);
        String what = "image " + id + " " + m;
        assertThat(actual).as(what).isCloseTo(expected, within(ABS));
        if (Math.abs(expected) < 1e-6) {
          // tiny BLEU values (1e-16 .. 1e-7): also relative
          assertThat(Math.abs(actual - expected)).as(what + " relative").isLessThanOrEqualTo(REL * Math.abs(expected));
        }
        maxAbs = Math.max(maxAbs, Math.abs(actual - expected));
      }
    }
    System.out.printf("caption per-image max|diff| = %.3g%n", maxAbs);
  }

  @Test
  void tokenizedStringsAreTheFixtures() {
    CaptionMetrics.Result<Long> r = evaluateFixture();
    Map<Long, List<String>> refs = new LinkedHashMap<>();
    for (JsonNode e : PTB.get("references")) {
      refs.computeIfAbsent(e.get("image_id").asLong(), k -> new ArrayList<>()).add(e.get("tokenized").asText());
    }
    assertThat(r.tokenizedReferences()).isEqualTo(refs);
    for (JsonNode e : PTB.get("candidates")) {
      assertThat(r.tokenizedCandidates().get(e.get("image_id").asLong())).isEqualTo(e.get("tokenized").asText());
    }
  }

  @Test
  void bleuCountsMatchPerImageAndInTotal() {
    CaptionMetrics.Result<Long> r = evaluateFixture();
    JsonNode details = EXPECTED.get("bleu_details");
    List<Bleu.ImageCounts> counts = r.bleu().counts();
    for (int i = 0; i < 40; i++) {
      JsonNode e = details.get("images").get(i);
      Bleu.ImageCounts c = counts.get(i);
      String what = "image " + e.get("image_id").asLong();
      assertThat(c.testLength()).as(what).isEqualTo(e.get("testlen").asInt());
      assertThat(c.refLengths()).as(what).containsExactlyElementsOf(ints(e.get("reflens")));
      assertThat(c.closestRefLength()).as(what).isEqualTo(e.get("closest_reflen").asInt());
      assertThat(c.guess()).as(what).containsExactly(ints(e.get("guess")).stream().mapToInt(Integer::intValue).toArray());
      assertThat(c.correct()).as(what).containsExactly(ints(e.get("correct")).stream().mapToInt(Integer::intValue).toArray());
    }
    JsonNode t = details.get("totals");
    assertThat(r.bleu().totalTestLength()).isEqualTo(t.get("testlen").asLong());
    assertThat(r.bleu().totalRefLength()).isEqualTo(t.get("reflen").asLong());
    assertThat(r.bleu().totalGuess()).containsExactly(longs(t.get("guess")));
    assertThat(r.bleu().totalCorrect()).containsExactly(longs(t.get("correct")));
  }

  @Test
  void ciderPerOrderSumsMatch() {
    CaptionMetrics.Result<Long> r = evaluateFixture();
    JsonNode details = EXPECTED.get("cider_details");
    assertThat(r.cider().logNumImages()).isCloseTo(details.get("log_num_images").asDouble(), within(1e-15));
    for (int i = 0; i < 40; i++) {
      JsonNode e = details.get("images").get(i);
      double[] sums = r.cider().sumOverRefsPerN().get(i);
      for (int n = 0; n < 4; n++) {
        assertThat(sums[n]).as("image %s order %d", e.get("image_id"), n + 1).isCloseTo(e.get("sum_over_refs_per_n").get(n).asDouble(), within(ABS));
      }
    }
  }

  @Test
  void scorersOnTheRecordedTokenizedStringsMatchToo() {
    Map<Long, List<String>> refs = new LinkedHashMap<>();
    Map<Long, String> cands = new LinkedHashMap<>();
    for (JsonNode e : PTB.get("references")) {
      refs.computeIfAbsent(e.get("image_id").asLong(), k -> new ArrayList<>()).add(e.get("tokenized").asText());
    }
    for (JsonNode e : PTB.get("candidates")) {
      cands.put(e.get("image_id").asLong(), e.get("tokenized").asText());
    }
    CaptionMetrics.Result<Long> r = CaptionMetrics.evaluateTokenized(refs, cands);
    for (String m : CaptionMetrics.METRICS) {
      assertThat(r.corpus().get(m)).as(m).isCloseTo(EXPECTED.get("corpus").get(m).asDouble(), within(ABS));
    }
  }

  @Test
  void onlyImagesWithResultsDropsTheOthersAndChangesCider() {
    CocoCaptionFiles all =
        CocoCaptionFiles.read(Fixtures.fixture("metrics/caption/annotations.json"), Fixtures.fixture("metrics/caption/results.json"));
    Map<Long, String> fewer = new LinkedHashMap<>(all.candidates());
    fewer.remove(139L);
    CocoCaptionFiles subset = new CocoCaptionFiles(all.references(), fewer).onlyImagesWithResults();
    assertThat(subset.references()).hasSize(39).doesNotContainKey(139L);
    CaptionMetrics.Result<Long> r = subset.evaluate();
    // CIDEr's document frequencies and log N are over the evaluated images: ln 39, not ln 40
    assertThat(r.cider().logNumImages()).isEqualTo(Math.log(39));
    assertThatThrownBy(() -> new CocoCaptionFiles(all.references(), fewer).evaluate())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("image 139 has no candidate");
  }

  @Test
  void handCaseThroughTheTokenizer() {
    // Raw captions go through the PTB tokenizer: "A cat." -> "a cat" and "a cat!" -> "a cat", so the
    // candidate equals its reference: guess = correct = (2, 1, 0, 0), testlen = reflen = 2.
    // p1 = (2 + 1e-15) / (2 + 1e-9), p2 = (1 + 1e-15) / (1 + 1e-9); BLEU-2 = sqrt(p1 * p2).
    // Even an exact match pays a brevity factor: ratio = (2 + 1e-15) / (2 + 1e-9) < 1, so both are
    // multiplied by exp(1 - 1/ratio) = exp(-5e-10) (the fixture's identical_to_ref image shows the same).
    Map<String, List<String>> refs = new LinkedHashMap<>();
    refs.put("x", List.of("A cat."));
    refs.put("y", List.of("Two dogs run"));
    Map<String, String> cands = Map.of("x", "a cat!", "y", "two birds fly");
    CaptionMetrics.Result<String> r = CaptionMetrics.evaluate(refs, cands);
    assertThat(r.tokenizedReferences().get("x")).containsExactly("a cat");
    assertThat(r.tokenizedCandidates().get("x")).isEqualTo("a cat");
    double p1 = (2 + 1e-15) / (2 + 1e-9);
    double p2 = (1 + 1e-15) / (1 + 1e-9);
    double brevity = Math.exp(1 - 1 / p1);
    assertThat(r.perImage().get("x").get("Bleu_1")).isCloseTo(p1 * brevity, within(1e-15));
    assertThat(r.perImage().get("x").get("Bleu_2")).isCloseTo(Math.sqrt(p1 * p2) * brevity, within(1e-15));
    assertThat(r.perImage().get("x").get("Bleu_1")).isLessThan(1.0);
    assertThat(r.perImage().get("x").get("ROUGE_L")).isEqualTo(1.0);
    // ROUGE-L of y: LCS("two dogs run", "two birds fly") = 1, P = R = 1/3 -> F = 1/3
    assertThat(r.perImage().get("y").get("ROUGE_L")).isCloseTo(1.0 / 3, within(1e-15));
    assertThat(r.corpus().get("ROUGE_L")).isCloseTo((1.0 + 1.0 / 3) / 2, within(1e-15));
  }

  @Test
  void unknownImageInResultsIsRejectedNamingFileAndId(@TempDir Path dir) throws IOException {
    Path res = dir.resolve("res.json");
    Files.writeString(res, "[{\"image_id\": 139, \"caption\": \"a\"}, {\"image_id\": 99999, \"caption\": \"b\"}]");
    assertThatThrownBy(() -> CocoCaptionFiles.read(Fixtures.fixture("metrics/caption/annotations.json"), res))
        .isInstanceOf(EvalInputException.class)
        .hasMessageContaining("res.json")
        .hasMessageContaining("image 99999");
  }

  @Test
  void duplicateResultMissingFileAndMalformedJsonAreRejected(@TempDir Path dir) throws IOException {
    Path ann = Fixtures.fixture("metrics/caption/annotations.json");
    Path dup = dir.resolve("dup.json");
    Files.writeString(dup, "[{\"image_id\": 139, \"caption\": \"a\"}, {\"image_id\": 139, \"caption\": \"b\"}]");
    assertThatThrownBy(() -> CocoCaptionFiles.read(ann, dup)).isInstanceOf(EvalInputException.class).hasMessageContaining("image 139 has more than one result");
    Path missing = dir.resolve("nope.json");
    assertThatThrownBy(() -> CocoCaptionFiles.read(ann, missing)).isInstanceOf(EvalInputException.class).hasMessageContaining("not found").hasMessageContaining("nope.json");
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "[{\"image_id\": 139, \"caption\": ");
    assertThatThrownBy(() -> CocoCaptionFiles.read(ann, bad)).isInstanceOf(EvalInputException.class).hasMessageContaining("malformed JSON").hasMessageContaining("bad.json");
    Path noCaption = dir.resolve("nocap.json");
    Files.writeString(noCaption, "[{\"image_id\": 139, \"caption\": 5}]");
    assertThatThrownBy(() -> CocoCaptionFiles.read(ann, noCaption)).isInstanceOf(EvalInputException.class).hasMessageContaining("\"caption\"");
  }

  private static List<Integer> ints(JsonNode a) {
    List<Integer> out = new ArrayList<>();
    a.forEach(n -> out.add(n.asInt()));
    return out;
  }

  private static long[] longs(JsonNode a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asLong();
    }
    return out;
  }
}
