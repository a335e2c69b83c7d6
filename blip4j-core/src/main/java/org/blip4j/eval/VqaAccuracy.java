package org.blip4j.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * VQA accuracy (Antol et al. 2015; {@code VQAEval(vqa, vqaRes, n=2).evaluate()}): with {@code h_1..h_10}
 * the human answers and {@code p} the prediction after {@link VqaNormalization},
 * {@code acc = mean_k min(1, #{j != k : h_j == p} / 3)}; reported as {@code round(100 * acc, 2)} per
 * question and {@code round(100 * mean(acc), 2)} overall, per question type and per answer type
 * (Python {@code round}: half-even on the exact binary value). The "other nine" answers are those
 * whose answer record differs (answer, {@code answer_confidence}, {@code answer_id}), as the Python
 * compares dicts. Two versions:
 *
 * <ul>
 *   <li>{@link Version#OFFICIAL}: GT-Vision-Lab/VQA {@code vqaEval.py} a013f00 (2021). Human
 *       answers and prediction are {@link VqaNormalization#strip stripped}; only if the stripped
 *       human answers are not all identical do both sides get {@code processDigitArticle(
 *       processPunctuation(.))} (so {@code "Yes"} against ten {@code "yes"} scores 0).
 *   <li>{@link Version#LEGACY_LAVIS}: salesforce/LAVIS {@code vqa_eval.py} (the official code before
 *       2021, used by BLIP/LAVIS). The prediction is stripped and always gets {@code
 *       processDigitArticle(processPunctuation(.))}; human answers are not stripped and get only
 *       {@code processPunctuation}, only when the raw answers are not all identical.
 * </ul>
 *
 * Questions are evaluated in the given order (the annotation file's), which fixes the summation
 * order of the means. Stateless and thread-safe.
 */
public final class VqaAccuracy {
  /** Which evaluator's answer processing to reproduce. */
  public enum Version {
    /** GT-Vision-Lab/VQA at a013f00 ("Fixed processing answers bug", 2021). */
    OFFICIAL,
    /** salesforce/LAVIS {@code lavis/common/vqa_tools/vqa_eval.py} (the official logic before a013f00). */
    LEGACY_LAVIS
  }

  /** One human answer; {@code confidence} and {@code answerId} may be null when absent. */
  public record HumanAnswer(String answer, String confidence, Long answerId) {}

  /** One annotated question. */
  public record Question(long questionId, String questionType, String answerType, List<HumanAnswer> answers) {}

  /**
   * The score of one question and what was compared.
   *
   * @param answersNormalized whether the human answers were processed (they were not all identical)
   * @param predCompared the prediction as compared
   * @param answersCompared the human answers as compared
   * @param perAnswerAcc {@code min(1, matches among the other answers / 3)} per human answer
   * @param acc mean of {@code perAnswerAcc}, in [0, 1]
   * @param evalQA {@code round(100 * acc, 2)}
   */
  public record QuestionScore(
      long questionId,
      String questionType,
      String answerType,
      boolean answersNormalized,
      String predCompared,
      List<String> answersCompared,
      double[] perAnswerAcc,
      double acc,
      double evalQA) {}

  /**
   * Accuracies in percent; the maps keep the order in which each type first occurs.
   *
   * @param overall {@code round(100 * sum(acc) / n, 2)}
   * @param overallUnrounded {@code 100 * sum(acc) / n}
   */
  public record Result(
      double overall,
      double overallUnrounded,
      Map<String, Double> perQuestionType,
      Map<String, Double> perAnswerType,
      Map<String, Double> perQuestionTypeUnrounded,
      Map<String, Double> perAnswerTypeUnrounded,
      List<QuestionScore> questions) {}

  private static final int DIGITS = 2;

  private VqaAccuracy() {}

  /**
   * Evaluates predictions for the given questions.
   *
   * @param predictions question id to predicted answer; must hold exactly the questions' ids
   * @throws IllegalArgumentException naming the question when a prediction is missing or is for
   *     an unknown question, or there are no questions
   */
  public static Result evaluate(List<Question> questions, Map<Long, String> predictions, Version version) {
    if (questions.isEmpty()) {
      throw new IllegalArgumentException("no questions to evaluate");
    }
    Set<Long> ids = new HashSet<>();
    for (Question q : questions) {
      if (!ids.add(q.questionId())) {
        throw new IllegalArgumentException("question " + q.questionId() + " is listed twice");
      }
      if (predictions.get(q.questionId()) == null) {
        throw new IllegalArgumentException("no predicted answer for question " + q.questionId());
      }
    }
    for (Long id : predictions.keySet()) {
      if (!ids.contains(id)) {
        throw new IllegalArgumentException("predicted answer for unknown question " + id);
      }
    }
    List<QuestionScore> scores = new ArrayList<>(questions.size());
    Map<String, List<Double>> byQuestionType = new LinkedHashMap<>();
    Map<String, List<Double>> byAnswerType = new LinkedHashMap<>();
    double[] accs = new double[questions.size()];
    for (int i = 0; i < accs.length; i++) {
      Question q = questions.get(i);
      QuestionScore s = score(q, predictions.get(q.questionId()), version);
      scores.add(s);
      accs[i] = s.acc();
      byQuestionType.computeIfAbsent(q.questionType(), k -> new ArrayList<>()).add(s.acc());
      byAnswerType.computeIfAbsent(q.answerType(), k -> new ArrayList<>()).add(s.acc());
    }
    Map<String, Double> qt = new LinkedHashMap<>();
    Map<String, Double> qtRaw = new LinkedHashMap<>();
    byQuestionType.forEach((k, v) -> put(k, v, qt, qtRaw));
    Map<String, Double> at = new LinkedHashMap<>();
    Map<String, Double> atRaw = new LinkedHashMap<>();
    byAnswerType.forEach((k, v) -> put(k, v, at, atRaw));
    double overall = percentOfMean(accs);
    return new Result(
        PyMath.round(overall, DIGITS),
        overall,
        Collections.unmodifiableMap(qt),
        Collections.unmodifiableMap(at),
        Collections.unmodifiableMap(qtRaw),
        Collections.unmodifiableMap(atRaw),
        Collections.unmodifiableList(scores));
  }

  /** Scores one question. */
  public static QuestionScore score(Question q, String prediction, Version version) {
    List<HumanAnswer> answers = new ArrayList<>(q.answers().size());
    String pred;
    boolean normalized;
    if (version == Version.OFFICIAL) {
      for (HumanAnswer a : q.answers()) {
        answers.add(withAnswer(a, VqaNormalization.strip(a.answer())));
      }
      pred = VqaNormalization.strip(prediction);
      normalized = !allSame(answers);
      if (normalized) {
        answers.replaceAll(a -> withAnswer(a, full(a.answer())));
        pred = full(pred);
      }
    } else {
      answers.addAll(q.answers());
      pred = full(VqaNormalization.strip(prediction));
      normalized = !allSame(answers);
      if (normalized) {
        answers.replaceAll(a -> withAnswer(a, VqaNormalization.processPunctuation(a.answer())));
      }
    }
    double[] perAnswer = new double[answers.size()];
    for (int k = 0; k < perAnswer.length; k++) {
      HumanAnswer self = answers.get(k);
      int matching = 0;
      for (HumanAnswer other : answers) {
        if (!other.equals(self) && other.answer().equals(pred)) {
          matching++;
        }
      }
      perAnswer[k] = Math.min(1, matching / 3.0);
    }
    double acc = PyMath.sum(perAnswer) / perAnswer.length;
    List<String> compared = new ArrayList<>(answers.size());
    answers.forEach(a -> compared.add(a.answer()));
    return new QuestionScore(
        q.questionId(),
        q.questionType(),
        q.answerType(),
        normalized,
        pred,
        List.copyOf(compared),
        perAnswer,
        acc,
        PyMath.round(100 * acc, DIGITS));
  }

  private static String full(String s) {
    return VqaNormalization.processDigitArticle(VqaNormalization.processPunctuation(s));
  }

  private static HumanAnswer withAnswer(HumanAnswer a, String answer) {
    return new HumanAnswer(answer, a.confidence(), a.answerId());
  }

  /** {@code len(set(answers)) <= 1}. */
  private static boolean allSame(List<HumanAnswer> answers) {
    for (HumanAnswer a : answers) {
      if (!Objects.equals(a.answer(), answers.get(0).answer())) {
        return false;
      }
    }
    return true;
  }

  /** {@code 100 * float(sum(accs)) / len(accs)}. */
  private static double percentOfMean(double[] accs) {
    return 100 * PyMath.sum(accs) / accs.length;
  }

  private static void put(String key, List<Double> accs, Map<String, Double> rounded, Map<String, Double> raw) {
    double[] a = accs.stream().mapToDouble(Double::doubleValue).toArray();
    double v = percentOfMean(a);
    raw.put(key, v);
    rounded.put(key, PyMath.round(v, DIGITS));
  }
}
