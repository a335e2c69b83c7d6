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
import org.blip4j.data.ImageRef;
import org.blip4j.data.Sample;
import org.blip4j.data.transform.NlvrPairTransform;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.RgbImage;
import org.blip4j.task.NlvrClassifier;
import org.blip4j.text.PreCaption;

/**
 * NLVR2 evaluation as salesforce/BLIP's {@code train_nlvr.py evaluate}: each sentence through
 * {@link PreCaption#preCaption pre_caption} (40 words, as {@code nlvr_dataset}), the pair judged by
 * {@link NlvrClassifier} in batches, the arg-max prediction compared with the label by
 * {@link ClassificationAccuracy}; reported in percent. A pair with an image that cannot be decoded is
 * skipped and counted.
 */
public final class NlvrEvaluation {
  /** One judged pair. */
  public record JudgedPair(String key, List<String> images, String sentence, boolean label, boolean prediction, float probTrue) {}

  /** The outcome; {@code metrics} holds {@code accuracy} in percent. */
  public record Result(Map<String, Double> metrics, Map<BadReason, Long> skippedByReason, List<JudgedPair> pairs)
      implements EvalResult {
    /** Pairs evaluated. */
    @Override
    public int n() {
      return pairs.size();
    }
  }

  private NlvrEvaluation() {}

  /** Reads {@code annotations} (images under {@code imageRoot}) and evaluates, {@code batchSize} pairs per forward pass. */
  public static Result evaluate(NlvrClassifier nlvr, Path annotations, Path imageRoot, int batchSize, EvalProgress progress)
      throws IOException {
    BadSampleCounter bad = new BadSampleCounter();
    return evaluate(nlvr, EvalSamples.read(annotations, imageRoot, EvalSamples.Kind.NLVR, bad), batchSize, progress, bad);
  }

  /** Judges NLVR samples; bad ones are reported to {@code bad} and skipped. */
  public static Result evaluate(NlvrClassifier nlvr, List<Sample> samples, int batchSize, EvalProgress progress, BadSampleCounter bad) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    ImageDecoder decoder = new ImageDecoder();
    ClassificationAccuracy accuracy = new ClassificationAccuracy();
    List<JudgedPair> pairs = new ArrayList<>();
    List<Sample> batch = new ArrayList<>();
    List<RgbImage> left = new ArrayList<>();
    List<RgbImage> right = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      Sample s = samples.get(i);
      @SuppressWarnings("unchecked")
      List<ImageRef> refs = (List<ImageRef>) s.meta().get("images");
      RgbImage a = EvalSamples.decode(refs.get(0), decoder, s.key(), bad);
      RgbImage b = a == null ? null : EvalSamples.decode(refs.get(1), decoder, s.key(), bad);
      if (a != null && b != null) {
        batch.add(s);
        left.add(a);
        right.add(b);
      }
      if (batch.size() == batchSize || (i == samples.size() - 1 && !batch.isEmpty())) {
        List<String> texts = batch.stream().map(x -> PreCaption.preCaption(x.caption(), NlvrPairTransform.MAX_WORDS)).toList();
        List<NlvrClassifier.Prediction> out = nlvr.predict(left, right, texts);
        for (int j = 0; j < batch.size(); j++) {
          Sample x = batch.get(j);
          boolean label = (Boolean) x.meta().get("label");
          NlvrClassifier.Prediction p = out.get(j);
          int predicted = ClassificationAccuracy.argmax(new float[][] {p.logits()})[0];
          accuracy.add(predicted, label ? 1 : 0);
          @SuppressWarnings("unchecked")
          List<ImageRef> xr = (List<ImageRef>) x.meta().get("images");
          pairs.add(new JudgedPair(x.key(), List.of(xr.get(0).source(), xr.get(1).source()), texts.get(j), label, predicted == 1, p.probTrue()));
        }
        batch.clear();
        left.clear();
        right.clear();
      }
      progress.update("judging", i + 1, samples.size());
    }
    if (pairs.isEmpty()) {
      throw new EvalInputException("no pair could be evaluated (" + bad.summary() + ")");
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("accuracy", 100 * accuracy.value());
    return new Result(Collections.unmodifiableMap(metrics), bad.counts(), List.copyOf(pairs));
  }
}
