package org.blip4j.data.transform;

import java.util.SplittableRandom;
import org.blip4j.image.PilResize;
import org.blip4j.image.RgbImage;

/**
 * torchvision's {@code RandomResizedCrop(size, scale, ratio, interpolation=BICUBIC)} on a PIL
 * image: up to 10 attempts to draw an area fraction in {@code scale} and a log-uniform aspect ratio
 * in {@code ratio} that fit, else a centre crop clamped to the ratio range; the crop is then
 * resized with Pillow's bicubic filter to {@code size x size}. BLIP uses scale (0.5, 1.0).
 */
public final class RandomResizedCrop {

  /** A crop box in source pixels; {@code fallback} when the 10 attempts failed (centre crop). */
  public record Box(int x, int y, int width, int height, boolean fallback) {}

  private final int size;
  private final double minScale;
  private final double maxScale;
  private final double minRatio;
  private final double maxRatio;

  /** BLIP's crop: scale (0.5, 1.0), ratio (3/4, 4/3). */
  public RandomResizedCrop(int size) {
    this(size, 0.5, 1.0, 3.0 / 4.0, 4.0 / 3.0);
  }

  /**
   * @param size output side in pixels
   * @param minScale smallest crop area as a fraction of the image area
   * @param maxScale largest crop area fraction
   * @param minRatio smallest width/height ratio
   * @param maxRatio largest width/height ratio
   */
  public RandomResizedCrop(int size, double minScale, double maxScale, double minRatio, double maxRatio) {
    if (size < 1) {
      throw new IllegalArgumentException("crop size must be positive, got " + size);
    }
    if (!(0 < minScale && minScale <= maxScale)) {
      throw new IllegalArgumentException("scale must satisfy 0 < min <= max, got (" + minScale + ", " + maxScale + ")");
    }
    if (!(0 < minRatio && minRatio <= maxRatio)) {
      throw new IllegalArgumentException("ratio must satisfy 0 < min <= max, got (" + minRatio + ", " + maxRatio + ")");
    }
    this.size = size;
    this.minScale = minScale;
    this.maxScale = maxScale;
    this.minRatio = minRatio;
    this.maxRatio = maxRatio;
  }

  /** The output side in pixels. */
  public int size() {
    return size;
  }

  /** torchvision's {@code get_params}: the crop box for a {@code width x height} image. */
  public Box params(int width, int height, SplittableRandom rnd) {
    double area = (double) width * height;
    double logMin = Math.log(minRatio);
    double logMax = Math.log(maxRatio);
    for (int attempt = 0; attempt < 10; attempt++) {
      double targetArea = area * uniform(rnd, minScale, maxScale);
      double aspect = Math.exp(uniform(rnd, logMin, logMax));
      int w = (int) Math.rint(Math.sqrt(targetArea * aspect)); // Python round: half to even
      int h = (int) Math.rint(Math.sqrt(targetArea / aspect));
      if (0 < w && w <= width && 0 < h && h <= height) {
        int y = rnd.nextInt(height - h + 1);
        int x = rnd.nextInt(width - w + 1);
        return new Box(x, y, w, h, false);
      }
    }
    double inRatio = (double) width / height;
    int w;
    int h;
    if (inRatio < minRatio) {
      w = width;
      h = (int) Math.rint(w / minRatio);
    } else if (inRatio > maxRatio) {
      h = height;
      w = (int) Math.rint(h * maxRatio);
    } else {
      w = width;
      h = height;
    }
    return new Box((width - w) / 2, (height - h) / 2, w, h, true);
  }

  /** Draws a box, crops and resizes (Pillow bicubic) to {@code size x size}. */
  public RgbImage apply(RgbImage image, SplittableRandom rnd) {
    Box b = params(image.width(), image.height(), rnd);
    return PilResize.resize(crop(image, b), size, size, PilResize.Filter.BICUBIC);
  }

  /** The pixels inside {@code box} (which must lie inside the image). */
  public static RgbImage crop(RgbImage image, Box box) {
    if (box.x() < 0 || box.y() < 0 || box.x() + box.width() > image.width()
        || box.y() + box.height() > image.height()) {
      throw new IllegalArgumentException("crop box " + box + " outside a " + image.width() + "x" + image.height() + " image");
    }
    byte[] out = new byte[3 * box.width() * box.height()];
    for (int y = 0; y < box.height(); y++) {
      System.arraycopy(image.rgb(), 3 * ((box.y() + y) * image.width() + box.x()),
          out, 3 * y * box.width(), 3 * box.width());
    }
    return new RgbImage(box.width(), box.height(), out);
  }

  private static double uniform(SplittableRandom rnd, double lo, double hi) {
    return lo == hi ? lo : lo + (hi - lo) * rnd.nextDouble();
  }
}
