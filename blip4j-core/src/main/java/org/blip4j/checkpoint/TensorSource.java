package org.blip4j.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Named tensors a model can be loaded from: a safetensors file, a PyTorch checkpoint, or either
 * seen through a key-mapping (the original BLIP layout onto HF names).
 */
public interface TensorSource {

  /** What the tensors come from, for error messages (usually the file). */
  String describe();

  /** Tensor names. */
  Set<String> names();

  /** Shape of {@code name}. */
  long[] shape(String name);

  /** A copy of {@code name} in {@code manager}: floats as F32, integers as INT64. */
  NDArray toNDArray(NDManager manager, String name);

  /**
   * The same tensors under new names; {@code rename} returns null to drop a tensor. Two source names
   * mapping to one new name is an error naming both.
   */
  default TensorSource renamed(Function<String, String> rename) {
    return viewed(n -> {
      String m = rename.apply(n);
      return m == null ? List.of() : List.of(m);
    });
  }

  /**
   * A view in which each source tensor appears under the names {@code names} gives it (none: dropped;
   * several: the same tensor under each, e.g. one cross-attention copied into two branches).
   */
  default TensorSource viewed(Function<String, List<String>> names) {
    TensorSource base = this;
    Map<String, String> toSource = new LinkedHashMap<>();
    for (String n : base.names()) {
      for (String m : names.apply(n)) {
        String prev = toSource.putIfAbsent(m, n);
        if (prev != null) {
          throw new CheckpointException(describe() + ": keys '" + prev + "' and '" + n + "' both map to '" + m + "'");
        }
      }
    }
    return new TensorSource() {
      @Override
      public String describe() {
        return base.describe();
      }

      @Override
      public Set<String> names() {
        return toSource.keySet();
      }

      @Override
      public long[] shape(String name) {
        return base.shape(toSource.get(name));
      }

      @Override
      public NDArray toNDArray(NDManager manager, String name) {
        return base.toNDArray(manager, toSource.get(name));
      }
    };
  }
}
