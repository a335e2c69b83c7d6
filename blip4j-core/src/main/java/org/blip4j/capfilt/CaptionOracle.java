package org.blip4j.capfilt;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Judges whether a caption is true of an image, where ground truth is known (e.g. the Shapes world's
 * scenes). CapFilt's report uses it for the noise ratio of the synthetic captions. Must be
 * thread-safe and deterministic.
 */
@FunctionalInterface
public interface CaptionOracle {
  /**
   * @param imagePath the image as CapFilt writes it in {@code bootstrapped.json}: relative to the web
   *     data's image root when under it (the annotation file's own path, e.g. {@code web_train/000012.png}),
   *     else absolute, or a shard member label for tar input
   * @param caption the caption
   * @return true / false, or empty when the oracle cannot judge this caption (not counted)
   */
  Optional<Boolean> isCorrect(String imagePath, String caption);

  /** {@code image} as an oracle is given it: relative to {@code root} ('/'-separated) when under it, else absolute. */
  static String imagePath(Path image, Path root) {
    Path p = image.toAbsolutePath().normalize();
    Path r = root.toAbsolutePath().normalize();
    return p.startsWith(r) ? r.relativize(p).toString().replace('\\', '/') : p.toString();
  }
}
