package org.blip4j.nn;

import ai.djl.ndarray.NDArray;

/** {@code y = x W^T + b} with HF names {@code prefix.weight} [out, in] and {@code prefix.bias} [out]. */
public final class Linear {
  private final Parameter weight;
  private final Parameter bias;

  /** A linear layer with bias. */
  public Linear(ParameterStore store, String prefix, long in, long out) {
    this(store, prefix, in, out, true);
  }

  /** A linear layer, with or without bias. */
  public Linear(ParameterStore store, String prefix, long in, long out, boolean withBias) {
    this.weight = store.create(prefix + ".weight", Parameter.Init.NORMAL, out, in);
    this.bias = withBias ? store.create(prefix + ".bias", Parameter.Init.ZEROS, out) : null;
  }

  /** A linear layer over existing parameters (weight tying). */
  public Linear(Parameter weight, Parameter bias) {
    this.weight = weight;
    this.bias = bias;
  }

  /** Applies the layer; the result lives in {@code x}'s manager. */
  public NDArray forward(NDArray x) {
    return bias == null
        ? ai.djl.nn.core.Linear.linear(x, weight.array()).singletonOrThrow()
        : ai.djl.nn.core.Linear.linear(x, weight.array(), bias.array()).singletonOrThrow();
  }

  /** The weight parameter. */
  public Parameter weight() {
    return weight;
  }

  /** The bias parameter, or null. */
  public Parameter bias() {
    return bias;
  }
}
