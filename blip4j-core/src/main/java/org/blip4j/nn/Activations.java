package org.blip4j.nn;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;

/** Activation functions by their HF config name ({@code hidden_act}). */
public final class Activations {
  private Activations() {}

  /** The activation named {@code name}: gelu (erf), relu, tanh. */
  public static UnaryOperator<NDArray> byName(String name) {
    return switch (name) {
      case "gelu" -> ai.djl.nn.Activation::gelu;
      case "relu" -> ai.djl.nn.Activation::relu;
      case "tanh" -> ai.djl.nn.Activation::tanh;
      default -> throw new IllegalArgumentException(
          "unsupported hidden_act '" + name + "' (supported: gelu, relu, tanh)");
    };
  }
}
