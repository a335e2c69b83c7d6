package org.blip4j.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Inverted dropout as {@code torch.nn.functional.dropout} in training mode: each element is zeroed
 * with probability {@code p} and the rest scaled by {@code 1/(1 − p)}. The mask comes from the
 * engine's generator. That generator is one per process, so a thread that trains ({@link
 * #seedThread}, which the trainer calls per step) reseeds it from its own seed stream before each
 * mask, under a lock: the masks of a training run are reproducible even while another run trains on
 * another thread. {@code p = 0} (inference, the default everywhere) returns the input itself.
 */
public final class Dropout {
  private static final ThreadLocal<SplittableRandom> SEEDS = new ThreadLocal<>();
  private static final Object GENERATOR = new Object();

  private Dropout() {}

  /**
   * The masks drawn on this thread from now on come from seeds drawn from {@code seed}: each
   * mask reseeds the engine's generator first. Until then, or after {@link #unseedThread}, masks
   * come from the generator as it stands.
   */
  public static void seedThread(long seed) {
    SEEDS.set(new SplittableRandom(seed));
  }

  /** Masks on this thread come from the engine's generator as it stands again. */
  public static void unseedThread() {
    SEEDS.remove();
  }

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
    NDArray keep = uniform(x, maskShape).gte(p).toType(DataType.FLOAT32, false).toType(x.getDataType(), false);
    return x.mul(keep).mul(ParameterStore.scalar(x.getManager(), 1f / (1f - p)).toType(x.getDataType(), false));
  }

  private static NDArray uniform(NDArray x, Shape shape) {
    SplittableRandom seeds = SEEDS.get();
    if (seeds == null) {
      return x.getManager().randomUniform(0f, 1f, shape);
    }
    synchronized (GENERATOR) {
      Engine.getInstance().setRandomSeed(seeds.nextInt());
      return x.getManager().randomUniform(0f, 1f, shape);
    }
  }
}
