package org.blip4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blip4j.data.BadReason;
import org.blip4j.data.shapes.ShapesConfig;
import org.blip4j.data.shapes.ShapesGenerator;
import org.blip4j.data.shapes.ShapesProgressListener;
import org.blip4j.task.Captioner;
import org.blip4j.task.ImageInput;
import org.blip4j.task.ImageTextMatcher;
import org.blip4j.task.ImageTextMatcher.FirstToken;
import org.blip4j.task.NlvrClassifier;
import org.blip4j.task.VqaModel;
import org.blip4j.testing.Fixtures;
import org.blip4j.text.PreCaption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluation pipelines with the tiny fixture models on a small generated Shapes world (5 test
 * images x 5 captions, 9 VQA questions, 3 NLVR pairs). Expected values come from the task objects
 * called directly (one image at a time, brute force) or from annotations rewritten so that the
 * outcome is known.
 */
class EvalPipelinesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static Path world;
  static Path root;
  static ImageTextMatcher matcher;

  @BeforeAll
  static void setUp() throws IOException {
    world = dir.resolve("world");
    new ShapesGenerator(new ShapesConfig(0.005, 0.4, 64, 3, 2)).generate(world, ShapesProgressListener.none());
    root = world.resolve("images");
    matcher = ImageTextMatcher.load(Fixtures.fixture("retrieval"));
  }

  @AfterAll
  static void tearDown() {
    matcher.close();
  }

  static ArrayNode records(String file) throws IOException {
    return (ArrayNode) JSON.readTree(world.resolve(file).toFile());
  }

  static Path write(String name, JsonNode recs) throws IOException {
    Path p = dir.resolve(name);
    JSON.writeValue(p.toFile(), recs);
    return p;
  }

  // ---- retrieval

  /** Score matrices built from ImageTextMatcher.match (ITM logit 1 + ITC cosine), one image at a time, -100 outside the top k by cosine. */
  static float[][][] bruteForce(ArrayNode recs, int k) {
    List<String> texts = new ArrayList<>();
    for (JsonNode r : recs) {
      r.get("caption").forEach(c -> texts.add(PreCaption.preCaption(c.asText(), 30)));
    }
    int nI = recs.size();
    int nT = texts.size();
    float[][] itm = new float[nI][nT];
    float[][] cos = new float[nI][nT];
    for (int i = 0; i < nI; i++) {
      List<ImageTextMatcher.Match> ms = matcher.match(ImageInput.of(root.resolve(recs.get(i).get("image").asText())), texts, FirstToken.ENC);
      for (int t = 0; t < nT; t++) {
        itm[i][t] = ms.get(t).itmLogits()[1];
        cos[i][t] = ms.get(t).itcCosine();
      }
    }
    float[][] i2t = new float[nI][nT];
    float[][] t2i = new float[nT][nI];
    for (float[] r : i2t) {
      Arrays.fill(r, -100f);
    }
    for (float[] r : t2i) {
      Arrays.fill(r, -100f);
    }
    for (int i = 0; i < nI; i++) {
      for (int t : firstK(cos[i], Math.min(k, nT))) {
        i2t[i][t] = itm[i][t] + cos[i][t];
      }
    }
    for (int t = 0; t < nT; t++) {
      float[] col = new float[nI];
      for (int i = 0; i < nI; i++) {
        col[i] = cos[i][t];
      }
      for (int i : firstK(col, Math.min(k, nI))) {
        t2i[t][i] = itm[i][t] + cos[i][t];
      }
    }
    return new float[][][] {i2t, t2i, cos};
  }

  /**
   * The k largest by selection, equal values by lower index first (the evaluator's documented tie
   * rule; ties are real here: the Shapes world repeats captions, and equal texts have equal features).
   */
  static List<Integer> firstK(float[] v, int k) {
    List<Integer> chosen = new ArrayList<>();
    boolean[] used = new boolean[v.length];
    for (int n = 0; n < k; n++) {
      int best = -1;
      for (int j = 0; j < v.length; j++) {
        if (!used[j] && (best < 0 || v[j] > v[best])) {
          best = j;
        }
      }
      used[best] = true;
      chosen.add(best);
    }
    return chosen;
  }

  static void assertMatrix(float[][] actual, float[][] expected, String name) {
    assertThat(actual.length).as(name + " rows").isEqualTo(expected.length);
    for (int r = 0; r < expected.length; r++) {
      for (int c = 0; c < expected[r].length; c++) {
        assertThat(actual[r][c]).as("%s[%d][%d]", name, r, c).isCloseTo(expected[r][c], within(1e-4f));
      }
    }
  }

  @Test
  void retrievalMatchesBruteForceItmPlusItcWithTopK() throws IOException {
    ArrayNode recs = records("test.json");
    assertThat(recs).hasSize(5);
    RetrievalEvaluation.Result r = RetrievalEvaluation.evaluate(matcher, world.resolve("test.json"), root,
        new RetrievalEvaluation.Options(3, 4, FirstToken.ENC), EvalProgress.none());
    float[][][] expected = bruteForce(recs, 3);
    assertMatrix(r.sims(), expected[2], "sims");
    assertMatrix(r.scoresI2t(), expected[0], "scoresI2t");
    assertMatrix(r.scoresT2i(), expected[1], "scoresT2i");
    // exactly 3 re-ranked entries per image row and per text row
    for (float[] row : r.scoresI2t()) {
      assertThat(countReranked(row)).isEqualTo(3);
    }
    for (float[] row : r.scoresT2i()) {
      assertThat(countReranked(row)).isEqualTo(3);
    }
    assertThat(r.n()).isEqualTo(5);
    assertThat(r.texts()).hasSize(25);
    assertThat(r.skipped()).isZero();
    RetrievalMetrics.Result expectedRecall = RetrievalMetrics.compute(expected[0], expected[1], TXT2IMG, IMG2TXT);
    assertThat(r.metrics().keySet()).containsExactly("txt_r1", "txt_r5", "txt_r10", "txt_r_mean", "img_r1", "img_r5", "img_r10", "img_r_mean", "r_mean");
    expectedRecall.toMap().forEach((key, v) -> assertThat(r.metrics().get(key)).as(key).isCloseTo(v, within(1e-9)));
    for (int i = 0; i < 5; i++) {
      assertThat(r.images().get(i).rank()).isEqualTo(expectedRecall.ranksI2t()[i]);
    }
  }

  /** The test split's 25 texts, 5 per image in record order. */
  static final int[] TXT2IMG = new int[25];
  static final int[][] IMG2TXT = new int[5][5];

  static {
    for (int t = 0; t < 25; t++) {
      TXT2IMG[t] = t / 5;
      IMG2TXT[t / 5][t % 5] = t;
    }
  }

  @Test
  void itcScoringRanksEveryPairByTheSimilarityAloneAndEveryResultCarriesTheItcRecall() throws IOException {
    float[][] cos = bruteForce(records("test.json"), 1)[2];
    RetrievalEvaluation.Result itc = RetrievalEvaluation.evaluate(matcher, world.resolve("test.json"), root,
        new RetrievalEvaluation.Options(3, 4, FirstToken.ENC, RetrievalEvaluation.Scoring.ITC), EvalProgress.none());
    assertMatrix(itc.sims(), cos, "sims");
    // no ITM pass, no k_test cut: every entry is the ITC similarity, in both directions
    assertMatrix(itc.scoresI2t(), cos, "scoresI2t");
    for (int t = 0; t < 25; t++) {
      for (int i = 0; i < 5; i++) {
        assertThat(itc.scoresT2i()[t][i]).isEqualTo(itc.scoresI2t()[i][t]);
      }
    }
    float[][] simsT2i = new float[25][5];
    for (int t = 0; t < 25; t++) {
      for (int i = 0; i < 5; i++) {
        simsT2i[t][i] = itc.sims()[i][t];
      }
    }
    RetrievalMetrics.Result expected = RetrievalMetrics.compute(itc.sims(), simsT2i, TXT2IMG, IMG2TXT);
    assertThat(itc.metrics()).isEqualTo(expected.toMap());
    assertThat(itc.itcRecall().toMap()).isEqualTo(expected.toMap());
    // BLIP's scoring re-ranks with ITM and still reports the ITC-only recall of the same similarities
    RetrievalEvaluation.Result blip = RetrievalEvaluation.evaluate(matcher, world.resolve("test.json"), root,
        new RetrievalEvaluation.Options(3, 4, FirstToken.ENC), EvalProgress.none());
    assertThat(countReranked(blip.scoresI2t()[0])).isEqualTo(3);
    assertMatrix(blip.sims(), itc.sims(), "sims under ITM + ITC");
    assertThat(blip.itcRecall().toMap()).isEqualTo(expected.toMap());
  }

  static int countReranked(float[] row) {
    int n = 0;
    for (float v : row) {
      n += v != -100f ? 1 : 0;
    }
    return n;
  }

  @Test
  void retrievalWithKAboveTheSplitSizeReRanksEverythingAndBatchingDoesNotMatter() throws IOException {
    ArrayNode recs = records("test.json");
    RetrievalEvaluation.Result r = RetrievalEvaluation.evaluate(matcher, world.resolve("test.json"), root,
        new RetrievalEvaluation.Options(1000, 7, FirstToken.ENC), EvalProgress.none());
    float[][][] expected = bruteForce(recs, 1000);
    assertMatrix(r.scoresI2t(), expected[0], "scoresI2t");
    for (float[] row : r.scoresI2t()) {
      assertThat(countReranked(row)).isEqualTo(25);
    }
    for (int t = 0; t < 25; t++) {
      for (int i = 0; i < 5; i++) {
        assertThat(r.scoresT2i()[t][i]).isEqualTo(r.scoresI2t()[i][t]);
      }
    }
  }

  @Test
  void oneImageSplitHasPerfectRecall() throws IOException {
    ArrayNode one = JSON.createArrayNode().add(records("test.json").get(2));
    RetrievalEvaluation.Result r = RetrievalEvaluation.evaluate(matcher, write("one.json", one), root,
        RetrievalEvaluation.Options.defaults(), EvalProgress.none());
    assertThat(r.n()).isEqualTo(1);
    r.metrics().forEach((k, v) -> assertThat(v).as(k).isEqualTo(100.0));
  }

  @Test
  void retrievalSkipsAndCountsBadImagesAndLosesNothingElse() throws IOException {
    ArrayNode recs = records("test.json");
    Files.writeString(root.resolve("not-an-image.png"), "this is text, not a PNG");
    ArrayNode withBad = recs.deepCopy();
    ObjectNode corrupt = JSON.createObjectNode().put("image", "not-an-image.png");
    corrupt.putArray("caption").add("a red circle").add("a blue square");
    ObjectNode missing = JSON.createObjectNode().put("image", "missing.png");
    missing.putArray("caption").add("a green triangle");
    withBad.insert(1, corrupt);
    withBad.add(missing);
    RetrievalEvaluation.Options o = new RetrievalEvaluation.Options(3, 4, FirstToken.ENC);
    RetrievalEvaluation.Result clean = RetrievalEvaluation.evaluate(matcher, world.resolve("test.json"), root, o, EvalProgress.none());
    RetrievalEvaluation.Result r = RetrievalEvaluation.evaluate(matcher, write("bad.json", withBad), root, o, EvalProgress.none());
    assertThat(r.skipped()).isEqualTo(2);
    assertThat(r.skippedByReason()).containsEntry(BadReason.NOT_AN_IMAGE, 1L).containsEntry(BadReason.MISSING_IMAGE, 1L);
    assertThat(r.n()).isEqualTo(5);
    assertMatrix(r.scoresI2t(), clean.scoresI2t(), "scoresI2t");
    assertMatrix(r.scoresT2i(), clean.scoresT2i(), "scoresT2i");
    assertThat(r.metrics()).isEqualTo(clean.metrics());
  }

  @Test
  void wrongKindOfAnnotationsAndMissingFilesAreNamed() {
    assertThatThrownBy(() -> RetrievalEvaluation.evaluate(matcher, world.resolve("vqa_test.json"), root,
        RetrievalEvaluation.Options.defaults(), EvalProgress.none()))
        .isInstanceOf(EvalInputException.class).hasMessageContaining("vqa_test.json").hasMessageContaining("expected caption");
    assertThatThrownBy(() -> RetrievalEvaluation.evaluate(matcher, world.resolve("nope.json"), root,
        RetrievalEvaluation.Options.defaults(), EvalProgress.none()))
        .isInstanceOf(EvalInputException.class).hasMessageContaining("nope.json");
  }

  // ---- captioning

  @Test
  void captioningScoresTheCaptionerOutputAgainstTheRecordCaptions() throws IOException {
    ArrayNode recs = records("test.json");
    try (Captioner captioner = Captioner.load(Fixtures.fixture("caption"))) {
      List<String> progress = new ArrayList<>();
      CaptionEvaluation.Result r = CaptionEvaluation.evaluate(captioner, world.resolve("test.json"), root,
          Captioner.Options.defaults(), (stage, done, total) -> progress.add(done + "/" + total));
      assertThat(progress).endsWith("5/5");
      Map<String, List<String>> refs = new LinkedHashMap<>();
      Map<String, String> cands = new LinkedHashMap<>();
      ArrayNode own = JSON.createArrayNode();
      for (int i = 0; i < recs.size(); i++) {
        JsonNode rec = recs.get(i);
        String caption = captioner.caption(ImageInput.of(root.resolve(rec.get("image").asText()))).text();
        assertThat(r.images().get(i).caption()).as("image %d", i).isEqualTo(caption);
        List<String> rr = new ArrayList<>();
        rec.get("caption").forEach(c -> rr.add(c.asText()));
        refs.put("k" + i, rr);
        cands.put("k" + i, caption);
        ObjectNode o = JSON.createObjectNode().put("image", rec.get("image").asText());
        o.putArray("caption").add(caption);
        own.add(o);
      }
      CaptionMetrics.Result<String> expected = CaptionMetrics.evaluate(refs, cands);
      assertThat(r.metrics().keySet()).containsExactlyElementsOf(CaptionMetrics.METRICS);
      expected.corpus().forEach((k, v) -> assertThat(r.metrics().get(k)).as(k).isCloseTo(v, within(1e-12)));
      assertThat(r.n()).isEqualTo(5);

      // references that are the generated captions themselves: ROUGE-L and BLEU-1 are 1
      CaptionEvaluation.Result self = CaptionEvaluation.evaluate(captioner, write("self.json", own), root,
          Captioner.Options.defaults(), EvalProgress.none());
      assertThat(self.metrics().get("ROUGE_L")).isCloseTo(1.0, within(1e-9));
      assertThat(self.metrics().get("Bleu_1")).isCloseTo(1.0, within(1e-6));
    }
  }

  // ---- VQA

  @Test
  void vqaAnswersAreTheModelsAndAccuracyCountsAnswersAsDocumented() throws IOException {
    ArrayNode recs = records("vqa_test.json");
    assertThat(recs.size()).isBetween(4, 12);
    VqaEvaluation.Options o = new VqaEvaluation.Options(VqaModel.defaultGeneration(), 64);
    try (VqaModel vqa = VqaModel.load(Fixtures.fixture("vqa"))) {
      VqaEvaluation.Result r = VqaEvaluation.evaluate(vqa, world.resolve("vqa_test.json"), root, o, EvalProgress.none());
      List<ImageInput> images = new ArrayList<>();
      List<String> questions = new ArrayList<>();
      for (JsonNode rec : recs) {
        images.add(ImageInput.of(root.resolve(rec.get("image").asText())));
        questions.add(PreCaption.preQuestion(rec.get("question").asText()));
      }
      List<VqaModel.Answer> answers = vqa.answer(images, questions, VqaModel.defaultGeneration()); // one batch, as the evaluation
      assertThat(r.n()).isEqualTo(recs.size());
      int correct = 0;
      for (int i = 0; i < recs.size(); i++) {
        assertThat(r.questions().get(i).prediction()).isEqualTo(answers.get(i).answer());
        correct += answers.get(i).answer().equals(recs.get(i).get("answer").get(0).asText()) ? 1 : 0;
      }
      // one given answer counts as ten humans agreeing: plain exact match (Shapes answers are normalised words)
      assertThat(r.metrics().get("accuracy")).isCloseTo(Math.round(10000.0 * correct / recs.size()) / 100.0, within(1e-9));

      // rewritten answers: [prediction] -> 1; 3 x prediction + 7 others -> (3 * 2/3 + 7 * 1) / 10 = 0.9; ["zzz"] -> 0
      ArrayNode rewritten = recs.deepCopy();
      for (int i = 0; i < rewritten.size(); i++) {
        ArrayNode a = ((ObjectNode) rewritten.get(i)).putArray("answer");
        String p = answers.get(i).answer();
        switch (i % 3) {
          case 0 -> a.add(p);
          case 1 -> {
            for (int k = 0; k < 10; k++) {
              a.add(k < 3 ? p : "zzz" + k % 2);
            }
          }
          default -> a.add("zzz");
        }
      }
      VqaEvaluation.Result h = VqaEvaluation.evaluate(vqa, write("vqa_hand.json", rewritten), root, o, EvalProgress.none());
      double sum = 0;
      for (int i = 0; i < rewritten.size(); i++) {
        double expected = i % 3 == 0 ? 1.0 : i % 3 == 1 ? 0.9 : 0.0;
        assertThat(h.questions().get(i).accuracy()).as("question %d", i).isCloseTo(expected, within(1e-12));
        sum += expected;
      }
      assertThat(h.metrics().get("accuracy")).isCloseTo(Math.round(10000 * sum / rewritten.size()) / 100.0, within(1e-9));

      // a question without answers cannot be scored: skipped and counted
      ArrayNode unanswered = recs.deepCopy();
      ((ObjectNode) unanswered.get(0)).putArray("answer");
      VqaEvaluation.Result u = VqaEvaluation.evaluate(vqa, write("vqa_unanswered.json", unanswered), root, o, EvalProgress.none());
      assertThat(u.n()).isEqualTo(recs.size() - 1);
      assertThat(u.skippedByReason()).containsEntry(BadReason.MALFORMED_RECORD, 1L);
    }
  }

  @Test
  void humanAnswersAreRepeatedCyclicallyToTen() {
    List<VqaAccuracy.HumanAnswer> h = VqaEvaluation.humanAnswers(List.of("a", "b", "c"));
    assertThat(h).extracting(VqaAccuracy.HumanAnswer::answer).containsExactly("a", "b", "c", "a", "b", "c", "a", "b", "c", "a");
    assertThat(h).extracting(VqaAccuracy.HumanAnswer::answerId).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    assertThat(VqaEvaluation.humanAnswers(List.of("x", "x", "x", "x", "x", "x", "x", "x", "x", "x", "y"))).hasSize(11);
  }

  // ---- NLVR

  @Test
  void nlvrComparesTheClassifiersPredictionsWithTheLabels() throws IOException {
    ArrayNode recs = records("nlvr_test.json");
    try (NlvrClassifier nlvr = NlvrClassifier.load(Fixtures.fixture("original/nlvr/model.pth"))) {
      NlvrEvaluation.Result r = NlvrEvaluation.evaluate(nlvr, world.resolve("nlvr_test.json"), root, 2, EvalProgress.none());
      assertThat(r.n()).isEqualTo(recs.size());
      ArrayNode asPredicted = recs.deepCopy();
      ArrayNode negated = recs.deepCopy();
      int correct = 0;
      for (int i = 0; i < recs.size(); i++) {
        JsonNode rec = recs.get(i);
        boolean p = nlvr.predict(ImageInput.of(root.resolve(rec.get("images").get(0).asText())),
            ImageInput.of(root.resolve(rec.get("images").get(1).asText())), PreCaption.preCaption(rec.get("sentence").asText(), 40)).prediction();
        assertThat(r.pairs().get(i).prediction()).as("pair %d", i).isEqualTo(p);
        correct += p == "True".equals(rec.get("label").asText()) ? 1 : 0;
        ((ObjectNode) asPredicted.get(i)).put("label", p ? "True" : "False");
        ((ObjectNode) negated.get(i)).put("label", p ? "False" : "True");
      }
      assertThat(r.metrics().get("accuracy")).isCloseTo(100.0 * correct / recs.size(), within(1e-9));
      assertThat(NlvrEvaluation.evaluate(nlvr, write("nlvr_pred.json", asPredicted), root, 2, EvalProgress.none()).metrics().get("accuracy"))
          .isEqualTo(100.0);
      assertThat(NlvrEvaluation.evaluate(nlvr, write("nlvr_neg.json", negated), root, 2, EvalProgress.none()).metrics().get("accuracy"))
          .isEqualTo(0.0);
    }
  }
}
