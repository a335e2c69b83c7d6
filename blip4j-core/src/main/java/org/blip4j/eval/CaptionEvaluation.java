package org.blip4j.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blip4j.data.BadReason;
import org.blip4j.data.BadSampleCounter;
import org.blip4j.data.Sample;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.RgbImage;
import org.blip4j.task.Captioner;

/**
 * Captioning evaluation as salesforce/BLIP's {@code train_caption.py evaluate} + {@code
 * coco_caption_eval}: one caption per test image ({@link Captioner.Options#defaults()}: prompt "a
 * picture of ", beam 3, max 20, min 5 as {@code caption_coco.yaml}; the prompt removed), scored by
 * {@link CaptionMetrics} against the record's raw captions, images in annotation order. Each record
 * is one image (its key is the record's, so a file listed twice counts twice). An image that cannot
 * be decoded is skipped and counted.
 */
public final class CaptionEvaluation {
  /** One captioned image and its references. */
  public record CaptionedImage(String key, String image, String caption, List<String> references, Map<String, Double> scores) {}

  /**
   * The outcome.
   *
   * @param metrics {@link CaptionMetrics#METRICS} to corpus value (fractions, as pycocoevalcap)
   */
  public record Result(Map<String, Double> metrics, Map<BadReason, Long> skippedByReason, List<CaptionedImage> images,
      CaptionMetrics.Result<String> scores) implements EvalResult {
    /** Images evaluated. */
    @Override
    public int n() {
      return images.size();
    }
  }

  private CaptionEvaluation() {}

  /** Reads {@code annotations} (images under {@code imageRoot}) and evaluates. */
  public static Result evaluate(Captioner captioner, Path annotations, Path imageRoot, Captioner.Options options, EvalProgress progress)
      throws IOException {
    BadSampleCounter bad = new BadSampleCounter();
    return evaluate(captioner, EvalSamples.read(annotations, imageRoot, EvalSamples.Kind.CAPTION, bad), options, progress, bad);
  }

  /** Captions and scores caption-test samples; bad images are reported to {@code bad} and skipped. */
  public static Result evaluate(Captioner captioner, List<Sample> samples, Captioner.Options options, EvalProgress progress,
      BadSampleCounter bad) {
    ImageDecoder decoder = new ImageDecoder();
    Map<String, List<String>> refs = new LinkedHashMap<>();
    Map<String, String> candidates = new LinkedHashMap<>();
    List<Sample> kept = new ArrayList<>();
    List<Sample> batch = new ArrayList<>();
    List<RgbImage> pixels = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      Sample s = samples.get(i);
      RgbImage img = EvalSamples.decode(s.image(), decoder, s.key(), bad);
      if (img != null) {
        batch.add(s);
        pixels.add(img);
      }
      if (batch.size() == options.batchSize() || (i == samples.size() - 1 && !batch.isEmpty())) {
        List<List<Captioner.Caption>> out = captioner.captionDecoded(pixels, options);
        for (int j = 0; j < batch.size(); j++) {
          refs.put(batch.get(j).key(), batch.get(j).captions());
          candidates.put(batch.get(j).key(), out.get(j).get(0).text());
        }
        kept.addAll(batch);
        batch.clear();
        pixels.clear();
      }
      progress.update("captioning", i + 1, samples.size());
    }
    if (kept.isEmpty()) {
      throw new EvalInputException("no image could be evaluated (" + bad.summary() + ")");
    }
    CaptionMetrics.Result<String> scores = CaptionMetrics.evaluate(refs, candidates);
    List<CaptionedImage> images = new ArrayList<>(kept.size());
    for (Sample s : kept) {
      images.add(new CaptionedImage(s.key(), s.image().source(), candidates.get(s.key()), s.captions(), scores.perImage().get(s.key())));
    }
    return new Result(scores.corpus(), bad.counts(), List.copyOf(images), scores);
  }
}
