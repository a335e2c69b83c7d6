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
    return dropScaled(x, p, x.getShape(), "dropout");
  }

  /**
   * Stochastic depth as timm's {@code drop_path} in training mode: each sample's residual branch
   * {@code x} [B, ...] is zeroed with probability {@code p} as a whole and kept ones are scaled by
   * {@code 1/(1 − p)}. {@code p = 0} returns the input itself.
   */
  public static NDArray dropPath(NDArray x, float p) {
    long[] perSample = new long[x.getShape().dimension()];
    Arrays.fill(perSample, 1);
    perSample[0] = x.getShape().get(0);
    return dropScaled(x, p, new Shape(perSample), "drop-path");
  }

  /** {@code x} times a 0/1 mask of {@code maskShape} (broadcast; each entry 0 with probability {@code p}) times {@code 1/(1 − p)}. */
  private static NDArray dropScaled(NDArray x, float p, Shape maskShape, String what) {
    if (p <= 0) {
      return x;
    }
    if (p >= 1) {
      throw new IllegalArgumentException(what + " probability must be < 1, got " + p);
    }
    NDArray keep = x.getManager().randomUniform(0f, 1f, maskShape).gte(p).toType(DataType.FLOAT32, false).toType(x.getDataType(), false);
    return x.mul(keep).mul(ParameterStore.scalar(x.getManager(), 1f / (1f - p)).toType(x.getDataType(), false));
  }
}
