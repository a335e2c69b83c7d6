package org.blip4j.data;

/** How much a reader verifies each sample's image before delivering it. */
public enum ImageCheck {
  /** No image check (the consumer decodes and must report failures itself). */
  NONE,
  /** Cheap: the file exists / the member is present, and is not zero bytes. The default. */
  PRESENT,
  /**
   * Full decode with the reader's {@link org.blip4j.image.ImageDecoder}: also catches non-images,
   * truncated/corrupt data and decompression bombs (refused from the header, before pixel decoding).
   */
  DECODE
}
