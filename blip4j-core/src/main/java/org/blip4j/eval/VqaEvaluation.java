package org.blip4j.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blip4j.data.BadReason;
import org.blip4j.data.BadSampleCounter;
import org.blip4j.data.Sample;
import org.blip4j.generate.GenerationConfig;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.RgbImage;
import org.blip4j.task.VqaModel;
import org.blip4j.text.PreCaption;

/**
 * VQA evaluation as salesforce/BLIP's {@code train_vqa.py evaluation} (questions through {@link
 * PreCaption#preQuestion pre_question}, answered in batches of {@code batchSize} by {@link VqaModel}
 * in generate mode with {@link VqaModel#defaultGeneration()}: beam 3, max 10, min 1, or in rank mode
 * over a closed answer list with {@code k_test} candidates per question), scored with
 * {@link VqaAccuracy} ({@link VqaAccuracy.Version#OFFICIAL}) against each record's {@code answer}
 * list. The VQA server that scores BLIP's test answers does the same with 10 human answers.
 *
 * <p>Answer counting: the official formula averages {@code min(1, #matching other answers / 3)}
 * over the 10 leave-one-out subsets of exactly 10 human answers (answer ids 1..10). A record with
 * fewer than 10 answers (the Shapes world has one) is brought to 10 by repeating its list cyclically
 * ({@code [a] → a×10}; {@code [a, b, c, d, e] → each twice}, the OK-VQA convention; {@code [a, b, c]
 * → a×4, b×3, c×3}), so that one given answer counts as 10 humans agreeing: a prediction matching it
 * scores 1, anything else 0 (exact match after the official answer normalisation). Records with 10
 * or more answers are scored as given. A record without answers (an unannotated test question)
 * cannot be scored: it is skipped and counted as {@link BadReason#MALFORMED_RECORD}, as is an image
 * that cannot be decoded with its reason. Note that the answer decoder cross-attends to all question
 * positions, padding included, so answers depend on which questions share a batch (as in BLIP).
 */
public final class VqaEvaluation {
  /** The number of human answers per question in VQA v2. */
  public static final int HUMAN_ANSWERS = 10;

  /**
   * Settings.
   *
   * @param generation answer decoding (generate mode)
   * @param batchSize questions per forward pass
   * @param answerList rank mode's closed answer list ({@code answer_list.json}); null: generate mode
   * @param kTest rank mode's candidates re-scored per question (BLIP: 128)
   */
  public record Options(GenerationConfig generation, int batchSize, List<String> answerList, int kTest) {
    /** Validates. */
    public Options {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
      }
      if (answerList != null) {
        VqaModel.validateAnswerList(answerList, "answer list");
        answerList = List.copyOf(answerList);
        if (kTest < 1) {
          throw new IllegalArgumentException("k_test must be >= 1, got " + kTest);
        }
      }
    }

    /** Generate mode. */
    public Options(GenerationConfig generation, int batchSize) {
      this(generation, batchSize, null, VqaModel.DEFAULT_K_TEST);
    }

    /** Rank mode over {@code answerList} with {@code kTest} candidates per question. */
    public static Options rank(List<String> answerList, int kTest, int batchSize) {
      return new Options(VqaModel.defaultGeneration(), batchSize, answerList, kTest);
    }

    /** Beam 3, max 10, min 1, batch 32 (BLIP's {@code vqa.yaml batch_size_test}). */
    public static Options defaults() {
      return new Options(VqaModel.defaultGeneration(), 32);
    }

    /** Whether answers are ranked over {@link #answerList()} rather than generated. */
    public boolean rankMode() {
      return answerList != null;
    }
  }

  /**
   * One answered question.
   *
   * @param questionId the record's {@code question_id} (else its position in the file)
   * @param answers the record's answers as given
   * @param accuracy {@link VqaAccuracy.QuestionScore#acc()} in [0, 1]
   */
  public record AnsweredQuestion(long questionId, String image, String question, String prediction, List<String> answers,
      double accuracy) {}

  /** The outcome; {@code metrics} holds {@code accuracy} (percent, rounded to 2 decimals as the official code). */
  public record Result(Map<String, Double> metrics, Map<BadReason, Long> skippedByReason, List<AnsweredQuestion> questions,
      VqaAccuracy.Result accuracy) implements EvalResult {
    /** Questions evaluated. */
    @Override
    public int n() {
      return questions.size();
    }
  }

  private VqaEvaluation() {}

  /** Reads {@code annotations} (images under {@code imageRoot}) and evaluates. */
  public static Result evaluate(VqaModel vqa, Path annotations, Path imageRoot, Options options, EvalProgress progress) throws IOException {
    BadSampleCounter bad = new BadSampleCounter();
    return evaluate(vqa, EvalSamples.read(annotations, imageRoot, EvalSamples.Kind.VQA, bad), options, progress, bad);
  }

  /** Answers and scores VQA samples; bad ones are reported to {@code bad} and skipped. */
  public static Result evaluate(VqaModel vqa, List<Sample> samples, Options options, EvalProgress progress, BadSampleCounter bad) {
    ImageDecoder decoder = new ImageDecoder();
    VqaModel.AnswerCandidates candidates = options.rankMode() ? vqa.candidates(options.answerList()) : null;
    List<VqaAccuracy.Question> questions = new ArrayList<>();
    Map<Long, String> predictions = new LinkedHashMap<>();
    List<Sample> kept = new ArrayList<>();
    List<Sample> batch = new ArrayList<>();
    List<RgbImage> images = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      Sample s = samples.get(i);
      @SuppressWarnings("unchecked")
      List<String> answers = (List<String>) s.meta().get("answer");
      if (answers == null || answers.isEmpty()) {
        bad.onBadSample(s.key(), BadReason.MALFORMED_RECORD, "question " + s.key() + " has no answers to score against");
      } else {
        RgbImage img = EvalSamples.decode(s.image(), decoder, s.key(), bad);
        if (img != null) {
          batch.add(s);
          images.add(img);
        }
      }
      if (batch.size() == options.batchSize() || (i == samples.size() - 1 && !batch.isEmpty())) {
        List<String> qs = batch.stream().map(b -> PreCaption.preQuestion(b.caption())).toList();
        List<String> out = candidates != null
            ? vqa.answerRankedDecoded(images, qs, candidates, options.kTest()).stream().map(VqaModel.RankedAnswer::answer).toList()
            : vqa.answerDecoded(images, qs, options.generation()).stream().map(VqaModel.Answer::answer).toList();
        for (int j = 0; j < batch.size(); j++) {
          Sample b = batch.get(j);
          long id = questionId(b, kept.size() + j);
          if (predictions.containsKey(id)) {
            throw new EvalInputException("question_id " + id + " is listed twice (record " + b.key() + ")");
          }
          @SuppressWarnings("unchecked")
          List<String> given = (List<String>) b.meta().get("answer");
          questions.add(new VqaAccuracy.Question(id, typeOf(b, "question_type"), typeOf(b, "answer_type"), humanAnswers(given)));
          predictions.put(id, out.get(j));
        }
        kept.addAll(batch);
        batch.clear();
        images.clear();
      }
      progress.update("answering", i + 1, samples.size());
    }
    if (kept.isEmpty()) {
      throw new EvalInputException("no question could be evaluated (" + bad.summary() + ")");
    }
    VqaAccuracy.Result acc = VqaAccuracy.evaluate(questions, predictions, VqaAccuracy.Version.OFFICIAL);
    List<AnsweredQuestion> details = new ArrayList<>(kept.size());
    for (int i = 0; i < kept.size(); i++) {
      Sample s = kept.get(i);
      VqaAccuracy.QuestionScore qs = acc.questions().get(i);
      @SuppressWarnings("unchecked")
      List<String> given = (List<String>) s.meta().get("answer");
      details.add(new AnsweredQuestion(qs.questionId(), s.image().source(), s.caption(), predictions.get(qs.questionId()), given, qs.acc()));
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("accuracy", acc.overall());
    return new Result(Collections.unmodifiableMap(metrics), bad.counts(), List.copyOf(details), acc);
  }

  /** The record's answers as 10 human answers (ids 1..10), repeated cyclically when fewer are given. */
  static List<VqaAccuracy.HumanAnswer> humanAnswers(List<String> given) {
    int n = Math.max(HUMAN_ANSWERS, given.size());
    List<VqaAccuracy.HumanAnswer> out = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      out.add(new VqaAccuracy.HumanAnswer(given.get(k % given.size()), null, (long) (k + 1)));
    }
    return out;
  }

  private static long questionId(Sample s, int position) {
    Object id = s.meta().get("question_id");
    if (id instanceof Number num) {
      return num.longValue();
    }
    if (id != null) {
      try {
        return Long.parseLong(id.toString());
      } catch (NumberFormatException e) {
        throw new EvalInputException("record " + s.key() + ": question_id must be an integer, got \"" + id + "\"");
      }
    }
    return position;
  }

  private static String typeOf(Sample s, String key) {
    Object v = s.meta().get(key);
    return v == null ? "" : v.toString();
  }
}
