package org.blip4j.data.transform;

import java.util.List;
import java.util.SplittableRandom;
import org.blip4j.image.RgbImage;

/**
 * BLIP's {@code RandomAugment(N, M, isPIL=True, augs=...)} from {@code transform/randaugment.py}:
 * draw N ops uniformly with replacement, then apply each with probability 0.5 (BLIP skips when
 * {@code random() > 0.5}) at magnitude M of {@link #MAX_LEVEL}. Ops work on the uint8 RGB array as
 * BLIP's OpenCV/numpy code does; geometric ops fill with (128, 128, 128).
 *
 * <p>Magnitude → parameter (BLIP): enhance factor {@code M/10·1.8 + 0.1} (1.0 at M = 5, so
 * Brightness and Sharpness are identities in BLIP's setting); shear {@code M/10·0.3}; translate
 * {@code M/10·10} <em>pixels</em> (not a fraction of the size); rotate {@code M/10·30} degrees; each
 * geometric parameter gets a random sign.
 *
 * <p>AutoContrast: BLIP's numpy code computes {@code offset = -low * scale} with {@code low} a
 * uint8 scalar, so {@code -low} wraps to {@code 256 - low} and any channel whose minimum is above 0
 * becomes all 255. By default this class applies the intended PIL semantics ({@code -low});
 * {@code reproduceAutoContrastWrap = true} reproduces BLIP's actual output.
 */
public final class RandAugment {

  /** The ops of BLIP's list. */
  public enum Op {
    IDENTITY, AUTO_CONTRAST, BRIGHTNESS, SHARPNESS, EQUALIZE,
    SHEAR_X, SHEAR_Y, TRANSLATE_X, TRANSLATE_Y, ROTATE
  }

  /** BLIP's augs list, in BLIP's order (the order matters for the random choice). */
  public static final List<Op> BLIP_OPS = List.of(
      Op.IDENTITY, Op.AUTO_CONTRAST, Op.BRIGHTNESS, Op.SHARPNESS, Op.EQUALIZE,
      Op.SHEAR_X, Op.SHEAR_Y, Op.TRANSLATE_X, Op.TRANSLATE_Y, Op.ROTATE);

  /** BLIP's {@code MAX_LEVEL}. */
  public static final int MAX_LEVEL = 10;
  /** BLIP's {@code translate_const} (pixels at the maximum level). */
  public static final double TRANSLATE_CONST = 10;
  /** BLIP's {@code replace_value} for every channel. */
  public static final int FILL = 128;
  /** BLIP's per-op probability. */
  public static final double PROB = 0.5;

  private final int n;
  private final double magnitude;
  private final List<Op> ops;
  private final boolean reproduceAutoContrastWrap;

  /**
   * @param n ops drawn per image
   * @param magnitude level in [0, {@link #MAX_LEVEL}]
   * @param ops the list to draw from (non-empty)
   * @param reproduceAutoContrastWrap reproduce BLIP's uint8 wrap in AutoContrast (see class doc)
   */
  public RandAugment(int n, double magnitude, List<Op> ops, boolean reproduceAutoContrastWrap) {
    if (n < 0) {
      throw new IllegalArgumentException("number of ops must be >= 0, got " + n);
    }
    if (!(magnitude >= 0 && magnitude <= MAX_LEVEL)) {
      throw new IllegalArgumentException("magnitude must be in [0, " + MAX_LEVEL + "], got " + magnitude);
    }
    if (ops == null || ops.isEmpty()) {
      throw new IllegalArgumentException("op list must not be empty");
    }
    this.n = n;
    this.magnitude = magnitude;
    this.ops = List.copyOf(ops);
    this.reproduceAutoContrastWrap = reproduceAutoContrastWrap;
  }

  /** BLIP's training setting: {@code RandomAugment(2, 5, isPIL=True, augs=BLIP_OPS)}. */
  public static RandAugment blip() {
    return new RandAugment(2, 5, BLIP_OPS, false);
  }

  /** Draws N ops, then applies each with probability 0.5 (BLIP's order of random draws). */
  public RgbImage apply(RgbImage image, SplittableRandom rnd) {
    Op[] chosen = new Op[n];
    for (int i = 0; i < n; i++) {
      chosen[i] = ops.get(rnd.nextInt(ops.size()));
    }
    RgbImage img = image;
    for (Op op : chosen) {
      if (rnd.nextDouble() > PROB) {
        continue;
      }
      img = applyOp(img, op, rnd);
    }
    return img;
  }

  /** One op at this instance's magnitude; draws the random sign for geometric ops. */
  public RgbImage applyOp(RgbImage img, Op op, SplittableRandom rnd) {
    double frac = magnitude / MAX_LEVEL;
    switch (op) {
      case IDENTITY:
        return img;
      case AUTO_CONTRAST:
        return autoContrast(img, reproduceAutoContrastWrap);
      case EQUALIZE:
        return equalize(img);
      case BRIGHTNESS:
        return brightness(img, frac * 1.8 + 0.1);
      case SHARPNESS:
        return sharpness(img, frac * 1.8 + 0.1);
      case SHEAR_X:
        return shearX(img, signGreater(frac * 0.3, rnd), FILL);
      case SHEAR_Y:
        return shearY(img, signGreater(frac * 0.3, rnd), FILL);
      case TRANSLATE_X:
        return translateX(img, signGreater(frac * TRANSLATE_CONST, rnd), FILL);
      case TRANSLATE_Y:
        return translateY(img, signGreater(frac * TRANSLATE_CONST, rnd), FILL);
      case ROTATE: {
        double level = frac * 30;
        return rotate(img, rnd.nextDouble() < 0.5 ? -level : level, FILL);
      }
      default:
        throw new IllegalStateException("unknown op " + op);
    }
  }

  private static double signGreater(double level, SplittableRandom rnd) {
    return rnd.nextDouble() > 0.5 ? -level : level;
  }

  /** {@code identity_func}. */
  public static RgbImage identity(RgbImage img) {
    return img;
  }

  /**
   * {@code autocontrast_func} with cutoff 0: per channel, map [min, max] linearly onto [0, 255]
   * (float64 table, clipped, truncated to uint8); unchanged when max <= min.
   *
   * @param reproduceWrap use BLIP's wrapped {@code -low} (256 - low) instead of {@code -low}
   */
  public static RgbImage autoContrast(RgbImage img, boolean reproduceWrap) {
    byte[] s = img.rgb();
    byte[] out = s.clone();
    for (int c = 0; c < 3; c++) {
      int lo = 255;
      int hi = 0;
      for (int i = c; i < s.length; i += 3) {
        int v = s[i] & 0xFF;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (hi <= lo) {
        continue;
      }
      double scale = 255.0 / (hi - lo);
      double negLow = reproduceWrap ? (256 - lo) & 0xFF : -lo;
      double offset = negLow * scale;
      byte[] table = new byte[256];
      for (int v = 0; v < 256; v++) {
        table[v] = (byte) (int) Math.max(0, Math.min(255, v * scale + offset));
      }
      for (int i = c; i < s.length; i += 3) {
        out[i] = table[s[i] & 0xFF];
      }
    }
    return new RgbImage(img.width(), img.height(), out);
  }

  /** {@code equalize_func} (= PIL {@code ImageOps.equalize}), per channel. */
  public static RgbImage equalize(RgbImage img) {
    byte[] s = img.rgb();
    byte[] out = s.clone();
    for (int c = 0; c < 3; c++) {
      long[] hist = new long[256];
      for (int i = c; i < s.length; i += 3) {
        hist[s[i] & 0xFF]++;
      }
      long sumButLast = 0;
      long last = 0;
      for (int v = 0; v < 256; v++) {
        if (hist[v] != 0) {
          sumButLast += last;
          last = hist[v];
        }
      }
      long step = sumButLast / 255;
      if (step == 0) {
        continue;
      }
      byte[] table = new byte[256];
      long acc = step / 2;
      for (int v = 0; v < 256; v++) {
        table[v] = (byte) Math.min(255, acc / step);
        acc += hist[v];
      }
      for (int i = c; i < s.length; i += 3) {
        out[i] = table[s[i] & 0xFF];
      }
    }
    return new RgbImage(img.width(), img.height(), out);
  }

  /** {@code brightness_func}: {@code uint8(clip(float32(v) * factor, 0, 255))}. */
  public static RgbImage brightness(RgbImage img, double factor) {
    float f = (float) factor;
    byte[] table = new byte[256];
    for (int v = 0; v < 256; v++) {
      table[v] = (byte) (int) Math.max(0f, Math.min(255f, v * f));
    }
    byte[] s = img.rgb();
    byte[] out = new byte[s.length];
    for (int i = 0; i < s.length; i++) {
      out[i] = table[s[i] & 0xFF];
    }
    return new RgbImage(img.width(), img.height(), out);
  }

  /**
   * {@code sharpness_func}: blend with the 3×3 smoothing kernel [[1,1,1],[1,5,1],[1,1,1]]/13
   * ({@code cv2.filter2D}, reflect-101 border, rounded). Factor 1 returns the image, factor 0 the
   * smoothed image; otherwise only the interior is blended, borders kept. BLIP casts the blend to
   * uint8 unclipped (wrapping); here it is clipped to [0, 255] then truncated.
   */
  public static RgbImage sharpness(RgbImage img, double factor) {
    if (factor == 1.0) {
      return img;
    }
    int w = img.width();
    int h = img.height();
    byte[] s = img.rgb();
    byte[] smooth = new byte[s.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          int sum = 0;
          for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
              int v = s[3 * (reflect101(y + dy, h) * w + reflect101(x + dx, w)) + c] & 0xFF;
              sum += (dx == 0 && dy == 0) ? 5 * v : v;
            }
          }
          smooth[3 * (y * w + x) + c] = (byte) Math.min(255, (int) Math.rint(sum / 13.0));
        }
      }
    }
    if (factor == 0.0) {
      return new RgbImage(w, h, smooth);
    }
    byte[] out = s.clone();
    float f = (float) factor;
    for (int y = 1; y < h - 1; y++) {
      for (int x = 1; x < w - 1; x++) {
        for (int c = 0; c < 3; c++) {
          int i = 3 * (y * w + x) + c;
          float d = smooth[i] & 0xFF;
          float v = d + f * ((s[i] & 0xFF) - d);
          out[i] = (byte) (int) Math.max(0f, Math.min(255f, v));
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  private static int reflect101(int p, int n) {
    if (n == 1) {
      return 0;
    }
    while (p < 0 || p >= n) {
      p = p < 0 ? -p : 2 * n - 2 - p;
    }
    return p;
  }

  /** {@code shear_x_func}: forward matrix [[1, f, 0], [0, 1, 0]] (float32), bilinear, fill. */
  public static RgbImage shearX(RgbImage img, double factor, int fill) {
    return OpenCvWarp.warpAffine(img, new double[] {1, (float) factor, 0, 0, 1, 0}, fill);
  }

  /** {@code shear_y_func}: forward matrix [[1, 0, 0], [f, 1, 0]] (float32), bilinear, fill. */
  public static RgbImage shearY(RgbImage img, double factor, int fill) {
    return OpenCvWarp.warpAffine(img, new double[] {1, 0, 0, (float) factor, 1, 0}, fill);
  }

  /** {@code translate_x_func}: out(x, y) = in(x + offset, y); a positive offset moves content left. */
  public static RgbImage translateX(RgbImage img, double offset, int fill) {
    return OpenCvWarp.warpAffine(img, new double[] {1, 0, (float) -offset, 0, 1, 0}, fill);
  }

  /** {@code translate_y_func}: out(x, y) = in(x, y + offset); a positive offset moves content up. */
  public static RgbImage translateY(RgbImage img, double offset, int fill) {
    return OpenCvWarp.warpAffine(img, new double[] {1, 0, 0, 0, 1, (float) -offset}, fill);
  }

  /** {@code rotate_func}: about (W/2, H/2), degrees, counter-clockwise for positive values. */
  public static RgbImage rotate(RgbImage img, double degrees, int fill) {
    double[] m = OpenCvWarp.rotationMatrix(img.width() / 2.0, img.height() / 2.0, degrees);
    return OpenCvWarp.warpAffine(img, m, fill);
  }
}
