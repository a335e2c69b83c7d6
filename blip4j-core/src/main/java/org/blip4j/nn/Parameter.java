package org.blip4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * One learnable tensor. Modules hold {@code Parameter}s, not arrays, so that a checkpoint loader or
 * an optimiser can replace the value in place; weight sharing is expressed by two modules holding
 * the SAME {@code Parameter} object (registered under two names in the {@link ParameterStore}).
 */
public final class Parameter {
  private final String name;
  private final Shape shape;
  private final Init init;
  private NDArray array;

  /** How a fresh parameter is initialised (BERT/ViT conventions). */
  public enum Init {
    /** N(0, 0.02) — Linear, Embedding, Conv weights. */
    NORMAL,
    /** Zeros — biases, LayerNorm beta. */
    ZEROS,
    /** Ones — LayerNorm gamma. */
    ONES
  }

  Parameter(String name, Shape shape, Init init) {
    this.name = name;
    this.shape = shape;
    this.init = init;
  }

  /** The canonical (first registered) state-dict name. */
  public String name() {
    return name;
  }

  /** The expected shape. */
  public Shape shape() {
    return shape;
  }

  /** The initialisation kind used when no checkpoint provides a value. */
  public Init init() {
    return init;
  }

  /** The current value; fails if the parameter was neither loaded nor initialised. */
  public NDArray array() {
    if (array == null) {
      throw new IllegalStateException("parameter '" + name + "' has no value (not loaded or initialised)");
    }
    return array;
  }

  /** Whether a value is present. */
  public boolean isSet() {
    return array != null;
  }

  /** Replaces the value (closing the old one); the new array must have {@link #shape()}. */
  public void set(NDArray value) {
    if (!value.getShape().equals(shape)) {
      throw new IllegalArgumentException(
          "parameter '" + name + "': shape " + value.getShape() + " does not match expected " + shape);
    }
    if (array != null && array != value) {
      array.close();
    }
    array = value;
  }

  @Override
  public String toString() {
    return name + shape;
  }
}
