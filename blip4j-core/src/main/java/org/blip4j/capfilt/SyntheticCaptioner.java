package org.blip4j.capfilt;

import java.util.List;
import org.blip4j.image.RgbImage;
import org.blip4j.task.Captioner;

/** CapFilt's captioner: synthetic captions for a batch of images. */
@FunctionalInterface
public interface SyntheticCaptioner {
  /**
   * Captions {@code images}. When sampling, image {@code i}'s captions must depend on the image and
   * {@code seeds[i]} only (never on the other images of the batch).
   *
   * @return per image, its captions (the configured number, in order)
   */
  List<List<String>> caption(List<RgbImage> images, long[] seeds);

  /** A BLIP captioner decoding with {@code options}; each image's sampling generator is seeded with its seed. */
  static SyntheticCaptioner of(Captioner captioner, Captioner.Options options) {
    return (images, seeds) -> captioner.captionDecoded(images, options, seeds).stream()
        .map(cs -> cs.stream().map(Captioner.Caption::text).toList()).toList();
  }
}
