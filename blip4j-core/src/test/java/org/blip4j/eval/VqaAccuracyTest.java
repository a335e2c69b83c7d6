package org.blip4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blip4j.eval.VqaAccuracy.HumanAnswer;
import org.blip4j.eval.VqaAccuracy.Question;
import org.blip4j.eval.VqaAccuracy.Version;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link VqaAccuracy} and {@link VqaNormalization} against {@code metrics/vqa} (official a013f00 and LAVIS). */
class VqaAccuracyTest {
  private static final JsonNode EXPECTED = Fixtures.json("metrics/vqa/expected.json");

  private static VqaFiles fixtureFiles() {
    return VqaFiles.read(
        Fixtures.fixture("metrics/vqa/questions.json"),
        Fixtures.fixture("metrics/vqa/annotations.json"),
        Fixtures.fixture("metrics/vqa/results.json"));
  }

  @Test
  void officialAggregatesMatchExactly() {
    assertAggregates(Version.OFFICIAL, EXPECTED.get("official"));
  }

  @Test
  void legacyLavisAggregatesMatchExactly() {
    assertAggregates(Version.LEGACY_LAVIS, EXPECTED.get("legacy_lavis"));
  }

  @Test
  void everyQuestionMatchesInBothVersions() {
    VqaFiles files = fixtureFiles();
    JsonNode questions = EXPECTED.get("questions");
    assertThat(questions.size()).isEqualTo(60);
    int disagree = 0;
    for (Version v : Version.values()) {
      String key = v == Version.OFFICIAL ? "official" : "legacy_lavis";
      List<VqaAccuracy.QuestionScore> scores = files.evaluate(v).questions();
      assertThat(scores).hasSize(60);
      for (int i = 0; i < 60; i++) {
        JsonNode q = questions.get(i);
        JsonNode e = q.get(key);
        VqaAccuracy.QuestionScore s = scores.get(i);
        String what = key + " question " + q.get("question_id").asLong();
        assertThat(s.questionId()).as(what).isEqualTo(q.get("question_id").asLong());
        assertThat(s.questionType()).as(what).isEqualTo(q.get("question_type").asText());
        assertThat(s.answerType()).as(what).isEqualTo(q.get("answer_type").asText());
        assertThat(s.answersNormalized()).as(what + " answers_normalized").isEqualTo(e.get("answers_normalized").asBoolean());
        assertThat(s.predCompared()).as(what + " pred_compared").isEqualTo(e.get("pred_compared").asText());
        assertThat(s.answersCompared()).as(what + " answers_compared").containsExactlyElementsOf(texts(e.get("answers_compared")));
        double[] perAnswer = new double[10];
        for (int k = 0; k < 10; k++) {
          perAnswer[k] = e.get("per_answer_acc").get(k).asDouble();
        }
        assertThat(s.perAnswerAcc()).as(what + " per_answer_acc").containsExactly(perAnswer);
        assertThat(s.acc()).as(what + " acc").isEqualTo(e.get("acc").asDouble());
        assertThat(s.evalQA()).as(what + " evalQA").isEqualTo(e.get("evalQA").asDouble());
      }
    }
    List<VqaAccuracy.QuestionScore> off = files.evaluate(Version.OFFICIAL).questions();
    List<VqaAccuracy.QuestionScore> lav = files.evaluate(Version.LEGACY_LAVIS).questions();
    for (int i = 0; i < 60; i++) {
      disagree += off.get(i).acc() != lav.get(i).acc() ? 1 : 0;
    }
    assertThat(disagree).as("questions where the versions disagree (README: 13)").isEqualTo(13);
  }

  @Test
  void everyNormalizationRowMatches() {
    JsonNode rows = Fixtures.json("metrics/vqa/normalization.json").get("entries");
    assertThat(rows.size()).isEqualTo(223);
    for (JsonNode r : rows) {
      String in = r.get("input").asText();
      String stripped = VqaNormalization.strip(in);
      assertThat(stripped).as("strip(%s)", in).isEqualTo(r.get("stripped").asText());
      String punct = VqaNormalization.processPunctuation(stripped);
      assertThat(punct).as("processPunctuation(%s)", stripped).isEqualTo(r.get("processPunctuation").asText());
      assertThat(VqaNormalization.processDigitArticle(punct)).as("processDigitArticle(%s)", punct).isEqualTo(r.get("processDigitArticle_of_that").asText());
    }
  }

  @Test
  void normalizationHandCases() {
    // "-" next to a space is deleted, otherwise becomes a space; a digit-comma-digit anywhere deletes all 21 marks
    assertThat(VqaNormalization.processPunctuation("red-white")).isEqualTo("red white");
    assertThat(VqaNormalization.processPunctuation("red -white")).isEqualTo("red white");
    assertThat(VqaNormalization.processPunctuation("1,000 (approx)")).isEqualTo("1000 approx");
    // periods: kept before a digit, otherwise deleted, but at most 32 of them (re.UNICODE passed as count)
    assertThat(VqaNormalization.processPunctuation("3.5 m.")).isEqualTo("3.5 m");
    assertThat(VqaNormalization.processPunctuation("x" + ".".repeat(33))).isEqualTo("x.");
    // ' : # % & * untouched
    assertThat(VqaNormalization.processPunctuation("it's 10:30 #1 50% a&b a*b")).isEqualTo("it's 10:30 #1 50% a&b a*b");
    // number words, articles (after the number map), contractions by whole word, quirk somebody'd -> somebodyd
    assertThat(VqaNormalization.processDigitArticle("The Two  oclock  an dont")).isEqualTo("2 o'clock don't");
    assertThat(VqaNormalization.processDigitArticle("somebody'd")).isEqualTo("somebodyd");
    assertThat(VqaNormalization.processDigitArticle("dontcha")).isEqualTo("dontcha");
    // Python split(): U+00A0 separates words; strip(): Unicode whitespace
    assertThat(VqaNormalization.processDigitArticle("two\u00a0dogs")).isEqualTo("2 dogs");
    assertThat(VqaNormalization.strip("\u3000 yes\t\n")).isEqualTo("yes");
  }

  @Test
  void accuracyHandCases() {
    // 3 x "cat", 7 x "dog", prediction "cat": each cat answer sees 2 other cats -> 2/3, each dog answer
    // sees 3 cats -> 1; acc = (3 * 2/3 + 7) / 10 = 0.9 -> 90.0
    Question q = question(1, "cat", "cat", "cat", "dog", "dog", "dog", "dog", "dog", "dog", "dog");
    VqaAccuracy.QuestionScore s = VqaAccuracy.score(q, "cat", Version.OFFICIAL);
    assertThat(s.acc()).isEqualTo((2.0 / 3 + 2.0 / 3 + 2.0 / 3 + 1 + 1 + 1 + 1 + 1 + 1 + 1) / 10);
    assertThat(s.evalQA()).isEqualTo(90.0);
    // one matching human answer: 9 answers see it (1/3), itself sees 0 -> acc = 9 * (1/3) / 10 = 0.3
    Question one = question(2, "red", "blue", "blue", "blue", "blue", "blue", "blue", "blue", "blue", "blue");
    assertThat(VqaAccuracy.score(one, "red", Version.OFFICIAL).evalQA()).isEqualTo(30.0);
    // "Yes" against ten "yes": OFFICIAL leaves unanimous answers and the prediction unprocessed -> 0;
    // LEGACY always processes the prediction ("Yes" -> "yes") -> 100
    Question yes = question(3, "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes");
    assertThat(VqaAccuracy.score(yes, "Yes", Version.OFFICIAL).acc()).isEqualTo(0.0);
    assertThat(VqaAccuracy.score(yes, "Yes", Version.LEGACY_LAVIS).acc()).isEqualTo(1.0);
    // non-unanimous "two"/"2": OFFICIAL maps humans "two" -> "2" (9 of them) -> pred "2" scores 1;
    // LEGACY only punctuation-processes humans, so just the one literal "2" matches -> 0.3
    Question two = question(4, "2", "two", "two", "two", "two", "two", "two", "two", "two", "two");
    assertThat(VqaAccuracy.score(two, "2", Version.OFFICIAL).acc()).isEqualTo(1.0);
    assertThat(VqaAccuracy.score(two, "2", Version.LEGACY_LAVIS).evalQA()).isEqualTo(30.0);
  }

  @Test
  void overallIsRoundedHalfEvenOnTheBinaryValue() {
    // Python: round(0.125, 2) = 0.12 (exact tie -> even), round(2.675, 2) = 2.67 (2.675 is 2.67499999...),
    // round(0.375, 2) = 0.38, round(100 * (1/3), 2) = 33.33, round(66.665, 2) = 66.67 (66.665 is 66.66500000000000625...)
    assertThat(PyMath.round(0.125, 2)).isEqualTo(0.12);
    assertThat(PyMath.round(2.675, 2)).isEqualTo(2.67);
    assertThat(PyMath.round(0.375, 2)).isEqualTo(0.38);
    assertThat(PyMath.round(100 * (1.0 / 3), 2)).isEqualTo(33.33);
    assertThat(PyMath.round(66.665, 2)).isEqualTo(66.67);
    // three questions with acc 1, 1/3 (one matching answer: 9 * 1/3 / 10 = 0.3) and 0:
    // 100 * (1 + 0.3 + 0) / 3 = 43.333... -> 43.33; per answer type in first-seen order
    List<Question> qs =
        List.of(
            question(1, "a1", "a1", "a1", "a1", "a1", "a1", "a1", "a1", "a1", "a1"),
            question(2, "x", "y", "y", "y", "y", "y", "y", "y", "y", "y"),
            question(3, "z", "z", "z", "z", "z", "z", "z", "z", "z", "z"));
    Map<Long, String> preds = Map.of(1L, "a1", 2L, "x", 3L, "nope");
    VqaAccuracy.Result r = VqaAccuracy.evaluate(qs, preds, Version.OFFICIAL);
    assertThat(r.overallUnrounded()).isEqualTo(100 * (1 + 0.3 + 0) / 3);
    assertThat(r.overall()).isEqualTo(43.33);
    assertThat(r.perAnswerType().keySet()).containsExactly("other");
  }

  @Test
  void missingOrUnknownResultsAreRejected(@TempDir Path dir) throws IOException {
    Path q = Fixtures.fixture("metrics/vqa/questions.json");
    Path a = Fixtures.fixture("metrics/vqa/annotations.json");
    Path res = dir.resolve("res.json");
    Files.writeString(res, "[{\"question_id\": 1001, \"answer\": \"yes\"}]");
    assertThatThrownBy(() -> VqaFiles.read(q, a, res))
        .isInstanceOf(EvalInputException.class)
        .hasMessageContaining("res.json")
        .hasMessageContaining("no result for question 1002");
    Files.writeString(res, "[{\"question_id\": 424242, \"answer\": \"yes\"}]");
    assertThatThrownBy(() -> VqaFiles.read(q, a, res)).isInstanceOf(EvalInputException.class).hasMessageContaining("question 424242");
    Files.writeString(res, "{\"question_id\": 1001}");
    assertThatThrownBy(() -> VqaFiles.read(q, a, res)).isInstanceOf(EvalInputException.class).hasMessageContaining("JSON array");
    Files.writeString(res, "[{");
    assertThatThrownBy(() -> VqaFiles.read(q, a, res)).isInstanceOf(EvalInputException.class).hasMessageContaining("malformed JSON").hasMessageContaining("res.json");
    assertThatThrownBy(() -> VqaFiles.read(q, dir.resolve("none.json"), res)).isInstanceOf(EvalInputException.class).hasMessageContaining("none.json");
    assertThatThrownBy(() -> VqaAccuracy.evaluate(List.of(question(7, "a")), Map.of(8L, "a"), Version.OFFICIAL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("question 7");
  }

  private static void assertAggregates(Version v, JsonNode e) {
    VqaAccuracy.Result r = fixtureFiles().evaluate(v);
    assertThat(r.overall()).isEqualTo(e.get("overall").asDouble());
    assertThat(r.overallUnrounded()).isEqualTo(e.get("overall_unrounded").asDouble());
    assertThat(r.perQuestionType()).isEqualTo(map(e.get("perQuestionType")));
    assertThat(r.perAnswerType()).isEqualTo(map(e.get("perAnswerType")));
    assertThat(r.perQuestionTypeUnrounded()).isEqualTo(map(e.get("perQuestionType_unrounded")));
    assertThat(r.perAnswerTypeUnrounded()).isEqualTo(map(e.get("perAnswerType_unrounded")));
    assertThat(r.perQuestionType().keySet()).containsExactlyElementsOf(map(e.get("perQuestionType")).keySet());
  }

  private static Question question(long id, String... answers) {
    List<HumanAnswer> h = new ArrayList<>();
    for (int i = 0; i < answers.length; i++) {
      h.add(new HumanAnswer(answers[i], "yes", (long) i + 1));
    }
    return new Question(id, "what is", "other", h);
  }

  private static Map<String, Double> map(JsonNode o) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> f : o.properties()) {
      m.put(f.getKey(), f.getValue().asDouble());
    }
    return m;
  }

  private static List<String> texts(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(n -> out.add(n.asText()));
    return out;
  }
}
