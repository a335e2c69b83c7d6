package org.blip4j.vision;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.blip4j.testing.Close;
import org.junit.jupiter.api.Test;

/**
 * Position-embedding interpolation equals PyTorch's bicubic (a = -0.75, align_corners=False,
 * border-clamped taps), computed here independently in plain Java from the definition.
 */
class PositionEmbeddingTest {

  /** Keys' cubic convolution kernel with PyTorch's a = -0.75. */
  static double cubic(double x) {
    double a = -0.75;
    x = Math.abs(x);
    if (x <= 1) {
      return ((a + 2) * x - (a + 3)) * x * x + 1;
    }
    if (x < 2) {
      return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }
    return 0;
  }

  /** Reference: out[y][x] = Σ w(y) w(x) in[clamp(iy)][clamp(ix)], source = (dst + 0.5)·in/out − 0.5. */
  static double[][] bicubic(double[][] in, int out) {
    int n = in.length;
    double scale = (double) n / out;
    double[][] res = new double[out][out];
    for (int y = 0; y < out; y++) {
      double sy = (y + 0.5) * scale - 0.5;
      int fy = (int) Math.floor(sy);
      for (int x = 0; x < out; x++) {
        double sx = (x + 0.5) * scale - 0.5;
        int fx = (int) Math.floor(sx);
        double acc = 0;
        for (int i = -1; i <= 2; i++) {
          for (int j = -1; j <= 2; j++) {
            int yy = Math.min(n - 1, Math.max(0, fy + i));
            int xx = Math.min(n - 1, Math.max(0, fx + j));
            acc += cubic(sy - (fy + i)) * cubic(sx - (fx + j)) * in[yy][xx];
          }
        }
        res[y][x] = acc;
      }
    }
    return res;
  }

  @Test
  void matchesValuesComputedIndependentlyInPython() {
    // 4x4 grid holding 4y + x (one channel) → 6x6; first output row from a separate Python script
    // written from PyTorch's upsample_bicubic2d definition (a = -0.75, align_corners=False, clamped taps)
    float[] pos = new float[17];
    for (int i = 0; i < 16; i++) {
      pos[1 + i] = i;
    }
    pos[0] = 42f;
    double[] firstRow = {-0.43402777777777646, 0.05902777777777829, 0.8657407407407417, 1.4398148148148149, 2.246527777777777, 2.7395833333333326};
    try (NDManager m = NDManager.newBaseManager()) {
      float[] got = PositionEmbedding.interpolate(m, m.create(pos, new Shape(1, 17, 1)), 6).toFloatArray();
      assertThat(got[0]).isEqualTo(42f);
      for (int x = 0; x < 6; x++) {
        assertThat((double) got[1 + x]).isCloseTo(firstRow[x], org.assertj.core.data.Offset.offset(1e-5));
      }
    }
  }

  @Test
  void upAndDownSizingMatchesTheBicubicDefinitionAndKeepsCls() {
    int grid = 4;
    int h = 3;
    Random r = new Random(5);
    float[] pos = new float[(1 + grid * grid) * h];
    for (int i = 0; i < pos.length; i++) {
      pos[i] = (float) r.nextGaussian();
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray p = m.create(pos, new Shape(1, 1 + grid * grid, h));
      for (int newGrid : new int[] {6, 3, 4}) {
        NDArray out = PositionEmbedding.interpolate(m, p, newGrid);
        assertThat(out.getShape()).isEqualTo(new Shape(1, 1 + newGrid * newGrid, h));
        float[] got = out.toFloatArray();
        float[] expected = new float[got.length];
        for (int c = 0; c < h; c++) {
          expected[c] = pos[c]; // [CLS] untouched
          double[][] plane = new double[grid][grid];
          for (int y = 0; y < grid; y++) {
            for (int x = 0; x < grid; x++) {
              plane[y][x] = pos[(1 + y * grid + x) * h + c];
            }
          }
          double[][] res = bicubic(plane, newGrid);
          for (int y = 0; y < newGrid; y++) {
            for (int x = 0; x < newGrid; x++) {
              expected[(1 + y * newGrid + x) * h + c] = (float) res[y][x];
            }
          }
        }
        Close.assertClose("bicubic pos-embed " + grid + "->" + newGrid, expected, got, 1e-5);
      }
    }
  }
}
