package org.blip4j.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.blip4j.nn.Parameter;
import org.blip4j.nn.ParameterStore;

/**
 * Fills a {@link ParameterStore} from a state dict ({@link TensorSource}) by plain name match. A parameter
 * registered under several names (tied weights) takes the first name present in the file; every other
 * of its names present must hold the same values (a file whose "tied" tensors differ does not fit a model
 * that ties them). Missing, unexpected, mis-shaped and untied keys are collected and reported together
 * in one error.
 */
public final class StateDictLoader {
  /** Buffers that checkpoints may carry and models recompute (never parameters). */
  private static final Pattern IGNORED = Pattern.compile(".*\\.position_ids$");

  private StateDictLoader() {}

  /** Loads every parameter of {@code store} from {@code file}; throws listing every problem. */
  public static void load(ParameterStore store, TensorSource file) {
    load(store, file, name -> false);
  }

  /**
   * Loads every parameter of {@code store} from {@code file}; checkpoint keys matching
   * {@code ignorable} (state the target model does not use, e.g. momentum encoders and queues when
   * loading a pre-training checkpoint for inference) are skipped instead of reported as unexpected.
   */
  public static void load(ParameterStore store, TensorSource file, java.util.function.Predicate<String> ignorable) {
    load(store, file, ignorable, name -> false);
  }

  /**
   * As above; parameters matching {@code mayBeMissing} (heads the original code initialises fresh
   * for fine-tuning) are left unset instead of reported as missing.
   */
  public static void load(ParameterStore store, TensorSource file, java.util.function.Predicate<String> ignorable,
      java.util.function.Predicate<String> mayBeMissing) {
    List<String> missing = new ArrayList<>();
    List<String> misShaped = new ArrayList<>();
    List<String> untied = new ArrayList<>();
    Set<String> used = new TreeSet<>();
    for (Map.Entry<Parameter, List<String>> e : store.distinct().entrySet()) {
      Parameter p = e.getKey();
      String found = null;
      for (String name : e.getValue()) {
        if (file.names().contains(name)) {
          used.add(name);
          if (found == null) {
            found = name;
          }
        }
      }
      if (found == null) {
        if (!mayBeMissing.test(e.getValue().get(0))) {
          missing.add(e.getValue().get(0));
        }
        continue;
      }
      long[] shape = file.shape(found);
      if (!new Shape(shape).equals(p.shape())) {
        misShaped.add(found + ": checkpoint " + Arrays.toString(shape) + ", model " + Arrays.toString(p.shape().getShape()));
        continue;
      }
      NDArray value = file.toNDArray(store.manager(), found);
      p.set(value);
      for (String other : e.getValue()) {
        if (!other.equals(found) && used.contains(other) && !sameValues(file, other, value)) {
          untied.add(other + " differs from " + found + " (one parameter in this model)");
        }
      }
    }
    List<String> unexpected = new ArrayList<>();
    for (String name : file.names()) {
      if (!used.contains(name) && !IGNORED.matcher(name).matches() && !ignorable.test(name)) {
        unexpected.add(name);
      }
    }
    if (!missing.isEmpty() || !unexpected.isEmpty() || !misShaped.isEmpty() || !untied.isEmpty()) {
      StringBuilder sb = new StringBuilder(file.describe() + ": checkpoint does not fit the model");
      append(sb, "missing keys", missing);
      append(sb, "unexpected keys", unexpected);
      append(sb, "mis-shaped keys", misShaped);
      append(sb, "tied keys with different values", untied);
      throw new CheckpointException(sb.toString());
    }
  }

  private static boolean sameValues(TensorSource file, String name, NDArray value) {
    if (!new Shape(file.shape(name)).equals(value.getShape())) {
      return false;
    }
    try (ai.djl.ndarray.NDManager scratch = value.getManager().newSubManager()) {
      return file.toNDArray(scratch, name).contentEquals(value);
    }
  }

  private static void append(StringBuilder sb, String what, List<String> keys) {
    if (!keys.isEmpty()) {
      sb.append("\n  ").append(what).append(" (").append(keys.size()).append("):");
      for (String k : keys.subList(0, Math.min(keys.size(), 50))) {
        sb.append("\n    ").append(k);
      }
      if (keys.size() > 50) {
        sb.append("\n    ... and ").append(keys.size() - 50).append(" more");
      }
    }
  }
}
