package org.blip4j.image;

import java.util.Arrays;

/**
 * An 8-bit RGB image, interleaved row-major (HWC): the bytes of pixel (x, y) are at
 * {@code 3 * (y * width + x) + {0, 1, 2}} for R, G, B. This is the layout of a Pillow image after
 * {@code convert('RGB')} viewed as a numpy array of shape [height, width, 3].
 *
 * <p>Equality compares the pixel data, not the array identity.
 *
 * @param width image width in pixels, at least 1
 * @param height image height in pixels, at least 1
 * @param rgb {@code width * height * 3} bytes (unsigned values 0..255)
 */
public record RgbImage(int width, int height, byte[] rgb) {

  /** Validates the dimensions against the data length. */
  public RgbImage {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image dimensions must be positive, got " + width + "x" + height);
    }
    if (rgb == null || (long) rgb.length != 3L * width * height) {
      throw new IllegalArgumentException("expected " + 3L * width * height + " RGB bytes for "
          + width + "x" + height + ", got " + (rgb == null ? "null" : rgb.length));
    }
  }

  /** The unsigned value (0..255) of channel {@code c} (0 = R, 1 = G, 2 = B) at pixel (x, y). */
  public int get(int x, int y, int c) {
    return rgb[3 * (y * width + x) + c] & 0xFF;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RgbImage other && width == other.width && height == other.height
        && Arrays.equals(rgb, other.rgb);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(rgb);
  }

  @Override
  public String toString() {
    return "RgbImage[" + width + "x" + height + "]";
  }
}
