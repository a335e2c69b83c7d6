package org.blip4j.image;

/**
 * Pillow's convolution resampling ({@code Image.resize} with BICUBIC or BILINEAR, libImaging
 * {@code Resample.c} as of Pillow 9.4) re-implemented for 8-bit RGB so that the output is
 * bit-identical to Pillow's.
 *
 * <p>What makes it exact:
 *
 * <ul>
 *   <li>The filter support is widened by the scale factor on downscaling (antialiasing); each output
 *       pixel's taps are {@code [xmin, xmin + n)} around {@code center = (i + 0.5) * scale}, rounded
 *       and clipped to the image the way Pillow does, and the weights are normalised in double.
 *   <li>Weights are then converted to 22-bit fixed point ({@code PRECISION_BITS = 32 - 8 - 2}), rounded
 *       half away from zero; each sum starts at {@code 1 << 21} (rounding) and is clipped to 0..255 after
 *       an arithmetic shift.
 *   <li>Two separable passes with an 8-bit intermediate: horizontal first (only over the source rows
 *       the vertical pass reads), then vertical; a pass whose dimension does not change is skipped,
 *       and an unchanged size returns a copy.
 * </ul>
 *
 * <p>Only the whole-image box {@code (0, 0, width, height)} is supported (that is what
 * {@code resize(size)} uses) and {@code reducing_gap} is not.
 */
public final class PilResize {

  /** Resampling filters, with Pillow's numeric codes ({@code Image.Resampling}). */
  public enum Filter {
    /** Triangle filter, support 1 ({@code Image.BILINEAR} = 2). */
    BILINEAR(2, 1.0),
    /** Keys cubic convolution with a = -0.5, support 2 ({@code Image.BICUBIC} = 3). */
    BICUBIC(3, 2.0);

    private final int pillowCode;
    private final double support;

    Filter(int pillowCode, double support) {
      this.pillowCode = pillowCode;
      this.support = support;
    }

    /** Pillow's integer code for this filter, as stored in HF {@code preprocessor_config.json}. */
    public int pillowCode() {
      return pillowCode;
    }

    /** The filter with Pillow code {@code code}, or an exception naming the supported ones. */
    public static Filter fromPillowCode(int code) {
      for (Filter f : values()) {
        if (f.pillowCode == code) {
          return f;
        }
      }
      throw new IllegalArgumentException("unsupported Pillow resampling filter " + code
          + " (supported: 3 = BICUBIC, 2 = BILINEAR)");
    }

    double weight(double x) {
      x = Math.abs(x);
      if (this == BILINEAR) {
        return x < 1.0 ? 1.0 - x : 0.0;
      }
      final double a = -0.5;
      if (x < 1.0) {
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
      }
      if (x < 2.0) {
        return (((x - 5) * x + 8) * x - 4) * a;
      }
      return 0.0;
    }
  }

  static final int PRECISION_BITS = 32 - 8 - 2;

  private PilResize() {}

  /** Resizes with Pillow's BICUBIC filter, as {@code img.resize((width, height), Image.BICUBIC)}. */
  public static RgbImage resize(RgbImage src, int width, int height) {
    return resize(src, width, height, Filter.BICUBIC);
  }

  /** Resizes as Pillow's {@code img.resize((width, height), filter)} does for an RGB image. */
  public static RgbImage resize(RgbImage src, int width, int height, Filter filter) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
    }
    boolean needHorizontal = width != src.width();
    boolean needVertical = height != src.height();
    if (!needHorizontal && !needVertical) {
      return new RgbImage(width, height, src.rgb().clone());
    }
    Coefficients horiz = Coefficients.compute(src.width(), width, filter);
    Coefficients vert = Coefficients.compute(src.height(), height, filter);

    byte[] pixels = src.rgb();
    int rows = src.height();
    if (needHorizontal) {
      // Only the source rows that the vertical pass reads: [first, last).
      int first = vert.start[0];
      int last = vert.start[height - 1] + vert.count[height - 1];
      for (int i = 0; i < height; i++) {
        vert.start[i] -= first;
      }
      pixels = horizontal(pixels, src.width(), first, last - first, horiz);
      rows = last - first;
    }
    if (needVertical) {
      pixels = vertical(pixels, width, vert);
      rows = height;
    }
    return new RgbImage(width, rows, pixels);
  }

  /** Horizontal pass over {@code rows} source rows starting at {@code firstRow}. */
  private static byte[] horizontal(byte[] in, int inWidth, int firstRow, int rows, Coefficients c) {
    int outWidth = c.start.length;
    byte[] out = new byte[rows * outWidth * 3];
    int[] k = c.fixed;
    int o = 0;
    for (int y = 0; y < rows; y++) {
      int rowBase = (y + firstRow) * inWidth * 3;
      for (int x = 0; x < outWidth; x++) {
        int p = rowBase + c.start[x] * 3;
        int kb = x * c.ksize;
        int r = 1 << (PRECISION_BITS - 1);
        int g = r;
        int b = r;
        for (int t = 0, n = c.count[x]; t < n; t++, p += 3) {
          int w = k[kb + t];
          r += (in[p] & 0xFF) * w;
          g += (in[p + 1] & 0xFF) * w;
          b += (in[p + 2] & 0xFF) * w;
        }
        out[o++] = clip8(r);
        out[o++] = clip8(g);
        out[o++] = clip8(b);
      }
    }
    return out;
  }

  /** Vertical pass; the input is {@code width} pixels wide, the coefficient bounds index its rows. */
  private static byte[] vertical(byte[] in, int width, Coefficients c) {
    int outHeight = c.start.length;
    int stride = width * 3;
    byte[] out = new byte[outHeight * stride];
    int[] k = c.fixed;
    int o = 0;
    for (int y = 0; y < outHeight; y++) {
      int kb = y * c.ksize;
      int n = c.count[y];
      int top = c.start[y] * stride;
      for (int x = 0; x < stride; x += 3) {
        int r = 1 << (PRECISION_BITS - 1);
        int g = r;
        int b = r;
        for (int t = 0, p = top + x; t < n; t++, p += stride) {
          int w = k[kb + t];
          r += (in[p] & 0xFF) * w;
          g += (in[p + 1] & 0xFF) * w;
          b += (in[p + 2] & 0xFF) * w;
        }
        out[o++] = clip8(r);
        out[o++] = clip8(g);
        out[o++] = clip8(b);
      }
    }
    return out;
  }

  /** Arithmetic shift out the fraction, then clamp to 0..255 (Pillow's {@code clip8} lookup). */
  private static byte clip8(int acc) {
    int v = acc >> PRECISION_BITS;
    return (byte) (v < 0 ? 0 : Math.min(v, 255));
  }

  /**
   * Per output pixel: first source index, number of taps, and {@code ksize} fixed-point weights
   * (Pillow's {@code precompute_coeffs} followed by {@code normalize_coeffs_8bpc}).
   */
  static final class Coefficients {
    final int ksize;
    final int[] start;
    final int[] count;
    final int[] fixed;

    private Coefficients(int ksize, int[] start, int[] count, int[] fixed) {
      this.ksize = ksize;
      this.start = start;
      this.count = count;
      this.fixed = fixed;
    }

    static Coefficients compute(int inSize, int outSize, Filter filter) {
      // Pillow passes the box as floats; in0 = 0 and in1 = inSize are exact.
      double scale = (double) (float) inSize / outSize;
      double filterScale = Math.max(scale, 1.0);
      double support = filter.support * filterScale;
      int ksize = (int) Math.ceil(support) * 2 + 1;
      int[] start = new int[outSize];
      int[] count = new int[outSize];
      int[] fixed = new int[outSize * ksize];
      double[] w = new double[ksize];
      double ss = 1.0 / filterScale;
      for (int i = 0; i < outSize; i++) {
        double center = (i + 0.5) * scale;
        int min = Math.max((int) (center - support + 0.5), 0); // (int) truncates toward zero, as in C
        int max = Math.min((int) (center + support + 0.5), inSize) - min;
        double sum = 0.0;
        for (int t = 0; t < max; t++) {
          w[t] = filter.weight((t + min - center + 0.5) * ss);
          sum += w[t];
        }
        for (int t = 0; t < max; t++) {
          double v = sum != 0.0 ? w[t] / sum : w[t];
          fixed[i * ksize + t] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
        }
        start[i] = min;
        count[i] = Math.max(max, 0);
      }
      return new Coefficients(ksize, start, count, fixed);
    }
  }
}
