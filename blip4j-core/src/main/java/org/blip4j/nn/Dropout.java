package org.blip4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Inverted dropout as {@code torch.nn.functional.dropout} in training mode: each element is zeroed
 * with probability {@code p} and the rest scaled by {@code 1/(1 − p)}. The mask comes from the
 * engine's generator, which the trainer seeds per step, so runs stay reproducible. {@code p = 0}
 * (inference, the default everywhere) returns the input itself.
 */
public final class Dropout {
  private Dropout() {}

  /** Applies dropout with probability {@code p} in [0, 1). */
  public static NDArray apply(NDArray x, float p) {
    if (p <= 0) {
      return x;
    }
    if (p >= 1) {
      throw new IllegalArgumentException("dropout probability must be < 1, got " + p);
    }
    NDArray keep = x.getManager().randomUniform(0f, 1f, x.getShape()).gte(p).toType(DataType.FLOAT32, false).toType(x.getDataType(), false);
    return x.mul(keep).mul(ParameterStore.scalar(x.getManager(), 1f / (1f - p)).toType(x.getDataType(), false));
  }

  /**
   * Stochastic depth as timm's {@code drop_path} in training mode: each sample's residual branch
   * {@code x} [B, ...] is zeroed with probability {@code p} as a whole and kept ones are scaled by
   * {@code 1/(1 − p)}. {@code p = 0} returns the input itself.
   */
  public static NDArray dropPath(NDArray x, float p) {
    if (p <= 0) {
      return x;
    }
    if (p >= 1) {
      throw new IllegalArgumentException("drop-path probability must be < 1, got " + p);
    }
    long[] maskShape = new long[x.getShape().dimension()];
    Arrays.fill(maskShape, 1);
    maskShape[0] = x.getShape().get(0);
    NDArray keep = x.getManager().randomUniform(0f, 1f, new Shape(maskShape)).gte(p).toType(x.getDataType(), false);
    return x.mul(keep).mul(ParameterStore.scalar(x.getManager(), 1f / (1f - p)).toType(x.getDataType(), false));
  }
}
