package org.blip4j.data;

import java.nio.file.Path;
import java.util.Objects;
import org.blip4j.image.ImageDecoder;

/**
 * Options shared by all readers.
 *
 * @param imageRoot directory that relative image paths in annotation files are resolved against
 *     (ignored by shard readers)
 * @param imageCheck how much each image is verified before its sample is delivered
 * @param decoder used when {@code imageCheck == DECODE}
 * @param listener told about every skipped sample
 */
public record ReadOptions(Path imageRoot, ImageCheck imageCheck, ImageDecoder decoder, BadSampleListener listener) {
  public ReadOptions {
    Objects.requireNonNull(imageRoot, "imageRoot");
    Objects.requireNonNull(imageCheck, "imageCheck");
    Objects.requireNonNull(decoder, "decoder");
    Objects.requireNonNull(listener, "listener");
  }

  /** {@link ImageCheck#PRESENT} checks, the default decoder. */
  public static ReadOptions of(Path imageRoot, BadSampleListener listener) {
    return new ReadOptions(imageRoot, ImageCheck.PRESENT, new ImageDecoder(), listener);
  }

  /** A copy with another image check. */
  public ReadOptions withImageCheck(ImageCheck check) {
    return new ReadOptions(imageRoot, check, decoder, listener);
  }
}
