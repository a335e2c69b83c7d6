package org.blip4j.data.transform;

import org.blip4j.image.RgbImage;

/**
 * OpenCV's {@code cv2.warpAffine(img, M, (W, H), flags=INTER_LINEAR, borderValue=fill)} for 8-bit
 * RGB images, reproducing its fixed-point arithmetic (OpenCV 3.x–4.10 {@code WarpAffineInvoker} +
 * {@code remapBilinear}): the matrix is inverted in double, source coordinates are quantised to
 * 1/32 pixel ({@code INTER_BITS = 5}, {@code AB_BITS = 10}), bilinear weights are integers summing
 * to 2^15, and neighbours outside the image read the constant border value.
 */
public final class OpenCvWarp {

  private static final int AB_BITS = 10;
  private static final int AB_SCALE = 1 << AB_BITS;
  private static final int INTER_BITS = 5;
  private static final int INTER_TAB_SIZE = 1 << INTER_BITS;
  private static final int ROUND_DELTA = AB_SCALE / INTER_TAB_SIZE / 2;

  private OpenCvWarp() {}

  /**
   * Warps with the forward affine matrix {@code m = [a b c; d e f]} (dst = M · src), output size =
   * input size, border = {@code fill} in every channel.
   */
  public static RgbImage warpAffine(RgbImage src, double[] m, int fill) {
    if (m.length != 6) {
      throw new IllegalArgumentException("affine matrix needs 6 values, got " + m.length);
    }
    double[] im = m.clone();
    double det = im[0] * im[4] - im[1] * im[3];
    det = det != 0 ? 1.0 / det : 0;
    double a11 = im[4] * det;
    double a22 = im[0] * det;
    im[0] = a11;
    im[1] *= -det;
    im[3] *= -det;
    im[4] = a22;
    double b1 = -im[0] * im[2] - im[1] * im[5];
    double b2 = -im[3] * im[2] - im[4] * im[5];
    im[2] = b1;
    im[5] = b2;

    int w = src.width();
    int h = src.height();
    byte[] s = src.rgb();
    byte[] out = new byte[s.length];
    int[] adelta = new int[w];
    int[] bdelta = new int[w];
    for (int x = 0; x < w; x++) {
      adelta[x] = cvRound(im[0] * x * AB_SCALE);
      bdelta[x] = cvRound(im[3] * x * AB_SCALE);
    }
    int cval = Math.max(0, Math.min(255, fill));
    for (int y = 0; y < h; y++) {
      int x0 = cvRound((im[1] * y + im[2]) * AB_SCALE) + ROUND_DELTA;
      int y0 = cvRound((im[4] * y + im[5]) * AB_SCALE) + ROUND_DELTA;
      for (int x = 0; x < w; x++) {
        int xx = (x0 + adelta[x]) >> (AB_BITS - INTER_BITS);
        int yy = (y0 + bdelta[x]) >> (AB_BITS - INTER_BITS);
        int sx = xx >> INTER_BITS;
        int sy = yy >> INTER_BITS;
        int fx = xx & (INTER_TAB_SIZE - 1);
        int fy = yy & (INTER_TAB_SIZE - 1);
        int d = 3 * (y * w + x);
        if (sx >= w || sx + 1 < 0 || sy >= h || sy + 1 < 0) {
          out[d] = (byte) cval;
          out[d + 1] = (byte) cval;
          out[d + 2] = (byte) cval;
          continue;
        }
        // weights scaled to 2^15: (32 - f) * (32 - g) * 32 etc. are exact integers
        int w00 = (INTER_TAB_SIZE - fx) * (INTER_TAB_SIZE - fy) * 32;
        int w01 = fx * (INTER_TAB_SIZE - fy) * 32;
        int w10 = (INTER_TAB_SIZE - fx) * fy * 32;
        int w11 = fx * fy * 32;
        boolean x0in = sx >= 0 && sx < w;
        boolean x1in = sx + 1 >= 0 && sx + 1 < w;
        boolean y0in = sy >= 0 && sy < h;
        boolean y1in = sy + 1 >= 0 && sy + 1 < h;
        for (int c = 0; c < 3; c++) {
          int v00 = x0in && y0in ? s[3 * (sy * w + sx) + c] & 0xFF : cval;
          int v01 = x1in && y0in ? s[3 * (sy * w + sx + 1) + c] & 0xFF : cval;
          int v10 = x0in && y1in ? s[3 * ((sy + 1) * w + sx) + c] & 0xFF : cval;
          int v11 = x1in && y1in ? s[3 * ((sy + 1) * w + sx + 1) + c] & 0xFF : cval;
          int v = (v00 * w00 + v01 * w01 + v10 * w10 + v11 * w11 + (1 << 14)) >> 15;
          out[d + c] = (byte) Math.max(0, Math.min(255, v));
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  /** {@code cv2.getRotationMatrix2D(center, degrees, 1)}: counter-clockwise for positive angles. */
  public static double[] rotationMatrix(double cx, double cy, double degrees) {
    double angle = degrees * Math.PI / 180;
    double alpha = Math.cos(angle);
    double beta = Math.sin(angle);
    return new double[] {
      alpha, beta, (1 - alpha) * cx - beta * cy,
      -beta, alpha, beta * cx + (1 - alpha) * cy
    };
  }

  /** OpenCV's {@code cvRound}/{@code saturate_cast<int>(double)}: round half to even. */
  static int cvRound(double v) {
    return (int) Math.rint(v);
  }
}
