package org.blip4j.reproduce;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.blip4j.capfilt.CaptionOracle;
import org.blip4j.eval.CaptionEvaluation;
import org.blip4j.eval.RetrievalEvaluation;

/**
 * Retrieval and captioning judged by the Shapes world's truth, beside the reference metrics that judge
 * by authorship. A Shapes caption mentions a subset of its scene, so it is often true of other test
 * images too: R@1 counts such a retrieved caption as a miss, though it is correct. These numbers say
 * how much of a model's miss is a wrong caption and how much a true caption written for another image,
 * and how high R@1 can go on the split at all.
 *
 * <p>The two "oracle" numbers are reference points, not strict bounds: the R@1 of a retriever that
 * knows which captions are true of which images but not who wrote them.
 * <ul>
 *   <li>Text retrieval: it ranks an image's true captions by how few test images each is true of
 *       (the most specific first) and breaks ties at random; its expected TR@1.</li>
 *   <li>Image retrieval: it picks one of the images the caption is true of at random; its expected
 *       IR@1, the mean of 1 / (images the caption is true of).</li>
 * </ul>
 *
 * @param textTrueAt1 share of images whose top-ranked text is true of them (own captions included)
 * @param imageTrueAt1 share of texts whose top-ranked image they are true of (own image included)
 * @param textOracleAt1 the truth-knowing retriever's expected TR@1
 * @param imageOracleAt1 the truth-knowing retriever's expected IR@1
 */
public record WorldTruth(double textTrueAt1, double imageTrueAt1, double textOracleAt1, double imageOracleAt1) {

  /**
   * Judges a retrieval result. {@code truth[i][t]}: text {@code t} is true of image {@code i};
   * {@code owner[t]}: the image text {@code t} was written for; {@code topText[i]}, {@code topImage[t]}:
   * the best-ranked text of image {@code i} and image of text {@code t}. Shares are fractions.
   */
  public static WorldTruth of(boolean[][] truth, int[] owner, int[] topText, int[] topImage) {
    int images = truth.length;
    int texts = owner.length;
    int[] trueOf = new int[texts];
    for (boolean[] row : truth) {
      for (int t = 0; t < texts; t++) {
        trueOf[t] += row[t] ? 1 : 0;
      }
    }
    double textTrue = 0;
    double textOracle = 0;
    for (int i = 0; i < images; i++) {
      textTrue += truth[i][topText[i]] ? 1 : 0;
      int fewest = Integer.MAX_VALUE;
      for (int t = 0; t < texts; t++) {
        if (truth[i][t]) {
          fewest = Math.min(fewest, trueOf[t]);
        }
      }
      int tied = 0;
      int own = 0;
      for (int t = 0; t < texts; t++) {
        if (truth[i][t] && trueOf[t] == fewest) {
          tied++;
          own += owner[t] == i ? 1 : 0;
        }
      }
      textOracle += tied == 0 ? 0 : (double) own / tied;
    }
    double imageTrue = 0;
    double imageOracle = 0;
    for (int t = 0; t < texts; t++) {
      imageTrue += truth[topImage[t]][t] ? 1 : 0;
      imageOracle += truth[owner[t]][t] ? 1.0 / trueOf[t] : 0;
    }
    return new WorldTruth(textTrue / images, imageTrue / texts, textOracle / images, imageOracle / texts);
  }

  /**
   * Judges {@code result} with {@code oracle}; image paths are given to it relative to {@code imageRoot}.
   * Empty when the oracle cannot judge some pair (an image outside its world). {@link
   * org.blip4j.capfilt.ShapesOracle} judges text it cannot parse as false, not as unjudged.
   */
  public static Optional<WorldTruth> of(RetrievalEvaluation.Result result, Path imageRoot, CaptionOracle oracle) {
    List<RetrievalEvaluation.ImageRanking> images = result.images();
    List<RetrievalEvaluation.TextRanking> texts = result.texts();
    boolean[][] truth = new boolean[images.size()][texts.size()];
    for (int i = 0; i < images.size(); i++) {
      String image = CaptionOracle.imagePath(Path.of(images.get(i).image()), imageRoot);
      for (int t = 0; t < texts.size(); t++) {
        Optional<Boolean> verdict = oracle.isCorrect(image, texts.get(t).text());
        if (verdict.isEmpty()) {
          return Optional.empty();
        }
        truth[i][t] = verdict.get();
      }
    }
    int[] owner = texts.stream().mapToInt(RetrievalEvaluation.TextRanking::image).toArray();
    int[] topText = images.stream().mapToInt(r -> r.top()[0]).toArray();
    int[] topImage = texts.stream().mapToInt(r -> r.top()[0]).toArray();
    return Optional.of(of(truth, owner, topText, topImage));
  }

  /** The share of generated captions {@code oracle} judges true; empty when it cannot judge one. */
  public static Optional<Double> captionsTrue(CaptionEvaluation.Result result, Path imageRoot, CaptionOracle oracle) {
    double yes = 0;
    for (CaptionEvaluation.CaptionedImage c : result.images()) {
      Optional<Boolean> verdict = oracle.isCorrect(CaptionOracle.imagePath(Path.of(c.image()), imageRoot), c.caption());
      if (verdict.isEmpty()) {
        return Optional.empty();
      }
      yes += verdict.get() ? 1 : 0;
    }
    return result.images().isEmpty() ? Optional.empty() : Optional.of(yes / result.images().size());
  }
}
