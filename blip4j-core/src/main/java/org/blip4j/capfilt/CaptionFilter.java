package org.blip4j.capfilt;

import java.util.List;
import org.blip4j.image.RgbImage;
import org.blip4j.task.ImageTextMatcher;

/** CapFilt's filter: the probability that each caption matches its image. */
@FunctionalInterface
public interface CaptionFilter {
  /**
   * Scores {@code captions.get(i)} against {@code images.get(i)}.
   *
   * @return per image, one probability in [0, 1] per caption, in order
   */
  float[][] matchProbabilities(List<RgbImage> images, List<List<String>> captions);

  /** BLIP's filter: the ITM head's match probability, {@code [ENC]} first as in the original pre-training / retrieval code. */
  static CaptionFilter of(ImageTextMatcher matcher) {
    return (images, captions) -> matcher.itmMatchProbabilities(images, captions, ImageTextMatcher.FirstToken.ENC);
  }
}
