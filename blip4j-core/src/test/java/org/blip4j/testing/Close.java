package org.blip4j.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import org.blip4j.checkpoint.SafeTensors;

/** Explicit-tolerance comparisons against fixture tensors, reporting the max abs difference. */
public final class Close {
  private Close() {}

  /** Asserts {@code actual} equals the fixture tensor {@code name} in shape and within {@code tol} abs. */
  public static double assertClose(SafeTensors io, String name, NDArray actual, double tol) {
    long[] shape = io.entry(name).shape();
    assertThat(actual.getShape().getShape()).as("shape of %s", name).isEqualTo(shape);
    return assertClose(name, io.floats(name), actual.toType(DataType.FLOAT32, false).toFloatArray(), tol);
  }

  /** Asserts two float arrays agree within {@code tol}; returns the max abs difference. */
  public static double assertClose(String what, float[] expected, float[] actual, double tol) {
    assertThat(actual.length).as("size of %s", what).isEqualTo(expected.length);
    double max = 0;
    int at = -1;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs((double) expected[i] - actual[i]);
      if (!(d <= max)) {
        max = d;
        at = i;
      }
    }
    assertThat(max)
        .as("%s: max abs diff %s at flat index %d (expected %s, got %s)", what, max, at,
            at < 0 ? "" : expected[at], at < 0 ? "" : actual[at])
        .isLessThanOrEqualTo(tol);
    System.out.printf("parity %-45s max|diff| = %.3g%n", what, max);
    return max;
  }

  /** Asserts exact equality of integer tensors. */
  public static void assertIds(String what, long[] expected, long[] actual) {
    assertThat(actual).as(what + " (expected %s, got %s)", Arrays.toString(expected), Arrays.toString(actual)).isEqualTo(expected);
  }
}
