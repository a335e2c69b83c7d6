package org.blip4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** LayerNorm over the last dimension, HF names {@code prefix.weight} / {@code prefix.bias}. */
public final class LayerNorm {
  private final Parameter weight;
  private final Parameter bias;
  private final float eps;
  private final Shape normalized;

  /** A LayerNorm of width {@code dim} with epsilon {@code eps}. */
  public LayerNorm(ParameterStore store, String prefix, long dim, double eps) {
    this.weight = store.create(prefix + ".weight", Parameter.Init.ONES, dim);
    this.bias = store.create(prefix + ".bias", Parameter.Init.ZEROS, dim);
    this.eps = (float) eps;
    this.normalized = new Shape(dim);
  }

  /** Normalises {@code x}; the result lives in {@code x}'s manager. */
  public NDArray forward(NDArray x) {
    return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalized, weight.array(), bias.array(), eps).singletonOrThrow();
  }
}
