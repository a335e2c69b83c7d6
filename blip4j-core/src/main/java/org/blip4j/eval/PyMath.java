package org.blip4j.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Python / numpy arithmetic that the reference evaluators' results depend on to the last bit. */
final class PyMath {
  private PyMath() {}

  /**
   * Python's {@code round(x, digits)} for a float: the exact binary value of {@code x} rounded to
   * {@code digits} decimals, ties to even, then the nearest double.
   */
  static double round(double x, int digits) {
    if (!Double.isFinite(x)) {
      return x;
    }
    return new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).doubleValue();
  }

  /** Python's built-in {@code sum} of floats (Python 3.11 and earlier): plain left-to-right addition. */
  static double sum(double[] a) {
    double s = 0;
    for (double v : a) {
      s += v;
    }
    return s;
  }

  /** {@code np.mean(a)} of a 1-D float64 array: numpy's pairwise sum divided by the length. */
  static double npMean(double[] a) {
    return (0.0 + pairwiseSum(a, 0, a.length)) / a.length;
  }

  /** numpy's {@code pairwise_sum_DOUBLE}: 8 accumulators up to 128 elements, halving above. */
  static double pairwiseSum(double[] a, int from, int n) {
    if (n < 8) {
      double res = 0.;
      for (int i = 0; i < n; i++) {
        res += a[from + i];
      }
      return res;
    } else if (n <= 128) {
      double[] r = new double[8];
      System.arraycopy(a, from, r, 0, 8);
      int i;
      for (i = 8; i < n - (n % 8); i += 8) {
        for (int j = 0; j < 8; j++) {
          r[j] += a[from + i + j];
        }
      }
      double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
      for (; i < n; i++) {
        res += a[from + i];
      }
      return res;
    } else {
      int n2 = n / 2;
      n2 -= n2 % 8;
      return pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2);
    }
  }
}
