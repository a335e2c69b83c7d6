package org.blip4j.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * BLIP's {@code interpolate_pos_embed}: when a checkpoint was trained at another image size (224 →
 * 384 → 480), the patch-grid position embeddings are resized like PyTorch's
 * {@code F.interpolate(mode='bicubic', align_corners=False)} (cubic convolution with a = −0.75,
 * source position (dst + ½)·in/out − ½, taps clamped at the border); the [CLS] embedding is kept.
 * Written out here because DJL's interpolation op runs libtorch's antialiased variant, which differs.
 */
public final class PositionEmbedding {
  private PositionEmbedding() {}

  private static final double A = -0.75;

  /**
   * Resizes {@code posEmbed} [1, 1 + g², H] to [1, 1 + newGrid², H] in {@code manager}; returns it
   * unchanged when the grid already matches.
   */
  public static NDArray interpolate(NDManager manager, NDArray posEmbed, int newGrid) {
    long tokens = posEmbed.getShape().get(1);
    int h = Math.toIntExact(posEmbed.getShape().get(2));
    int grid = (int) Math.round(Math.sqrt(tokens - 1));
    if (posEmbed.getShape().get(0) != 1 || grid * grid != tokens - 1) {
      throw new IllegalArgumentException("position embedding " + posEmbed.getShape() + " is not [1, 1 + g², H]");
    }
    if (grid == newGrid) {
      return posEmbed;
    }
    float[] in = posEmbed.toFloatArray();
    float[] out = new float[(1 + newGrid * newGrid) * h];
    System.arraycopy(in, 0, out, 0, h);
    int[][] ix = new int[newGrid][4];
    double[][] w = new double[newGrid][4];
    taps(grid, newGrid, ix, w);
    for (int y = 0; y < newGrid; y++) {
      for (int x = 0; x < newGrid; x++) {
        int o = (1 + y * newGrid + x) * h;
        for (int i = 0; i < 4; i++) {
          for (int j = 0; j < 4; j++) {
            double wt = w[y][i] * w[x][j];
            int src = (1 + ix[y][i] * grid + ix[x][j]) * h;
            for (int c = 0; c < h; c++) {
              out[o + c] += (float) (wt * in[src + c]);
            }
          }
        }
      }
    }
    return manager.create(out, new Shape(1, 1 + (long) newGrid * newGrid, h));
  }

  /** Source taps and weights of each output index along one axis. */
  private static void taps(int in, int out, int[][] index, double[][] weight) {
    double scale = (double) in / out;
    for (int d = 0; d < out; d++) {
      double src = (d + 0.5) * scale - 0.5;
      int f = (int) Math.floor(src);
      double t = src - f;
      double[] k = {cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)};
      for (int j = 0; j < 4; j++) {
        index[d][j] = Math.min(in - 1, Math.max(0, f - 1 + j));
        weight[d][j] = k[j];
      }
    }
  }

  /** Cubic convolution kernel for |x| ≤ 1. */
  private static double cubic1(double x) {
    return ((A + 2) * x - (A + 3)) * x * x + 1;
  }

  /** Cubic convolution kernel for 1 < |x| < 2. */
  private static double cubic2(double x) {
    return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  }
}
