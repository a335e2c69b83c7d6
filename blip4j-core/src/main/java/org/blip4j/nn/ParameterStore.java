package org.blip4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The parameter tree of a model: state-dict name → {@link Parameter}. Names ARE the Hugging Face
 * BLIP state-dict keys. A parameter registered under several names (tied weights) is one object.
 * Owns the long-lived {@link NDManager} that holds every parameter value.
 */
public final class ParameterStore implements AutoCloseable {
  private final NDManager manager;
  private final Map<String, Parameter> byName = new LinkedHashMap<>();
  private final List<Sharing> sharing = new ArrayList<>();

  /** A weight-sharing rule: parameters created as {@code prefix + rest} reuse {@code source + rest}. */
  private record Sharing(String prefix, String source, java.util.function.Predicate<String> shared) {}

  /** A store whose values live in a fresh sub-manager of {@code parent}. */
  public ParameterStore(NDManager parent) {
    this.manager = parent.newSubManager();
  }

  /** The manager holding parameter values (never create activations in it). */
  public NDManager manager() {
    return manager;
  }

  /**
   * From now on, a parameter created under {@code prefix + rest} with {@code shared.test(rest)} is
   * the SAME object as the existing {@code source + rest} (registered under both names). This is how
   * BLIP's decoder shares everything but self-attention with the encoder.
   */
  public void share(String prefix, String source, java.util.function.Predicate<String> shared) {
    sharing.add(new Sharing(prefix, source, shared));
  }

  /** Registers a new parameter (or, under a {@link #share} rule, an alias of the shared one). */
  public Parameter create(String name, Parameter.Init init, long... shape) {
    for (Sharing r : sharing) {
      if (name.startsWith(r.prefix()) && r.shared().test(name.substring(r.prefix().length()))) {
        Parameter existing = get(r.source() + name.substring(r.prefix().length()));
        if (!existing.shape().equals(new Shape(shape))) {
          throw new IllegalArgumentException("cannot share '" + existing.name() + "' " + existing.shape() + " as '" + name + "' " + new Shape(shape));
        }
        return alias(name, existing);
      }
    }
    if (byName.containsKey(name)) {
      throw new IllegalArgumentException("parameter '" + name + "' registered twice");
    }
    Parameter p = new Parameter(name, new Shape(shape), init);
    byName.put(name, p);
    return p;
  }

  /** Registers {@code existing} under an additional name (weight tying). */
  public Parameter alias(String name, Parameter existing) {
    Parameter prev = byName.putIfAbsent(name, existing);
    if (prev != null && prev != existing) {
      throw new IllegalArgumentException("parameter '" + name + "' registered twice");
    }
    return existing;
  }

  /** All names, in registration order (aliases included). */
  public Map<String, Parameter> byName() {
    return Collections.unmodifiableMap(byName);
  }

  /** Distinct parameters with every name each is registered under. */
  public Map<Parameter, List<String>> distinct() {
    Map<Parameter, List<String>> out = new IdentityHashMap<>();
    List<Parameter> order = new ArrayList<>();
    for (Map.Entry<String, Parameter> e : byName.entrySet()) {
      out.computeIfAbsent(e.getValue(), k -> {
        order.add(k);
        return new ArrayList<>();
      }).add(e.getKey());
    }
    Map<Parameter, List<String>> ordered = new LinkedHashMap<>();
    for (Parameter p : order) {
      ordered.put(p, out.get(p));
    }
    return ordered;
  }

  /** The parameter registered under {@code name}. */
  public Parameter get(String name) {
    Parameter p = byName.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no parameter named '" + name + "'");
    }
    return p;
  }

  /** Sets a parameter's value from Java floats (copied into the store's manager). */
  public void setFloats(Parameter p, float[] data) {
    p.set(manager.create(data, p.shape()));
  }

  /** Initialises every parameter that has no value yet: N(0, std) weights, zero biases, unit gains; seeded. */
  public void initializeMissing(long seed, float std) {
    initializeMissing(seed, name -> std);
  }

  /**
   * As {@link #initializeMissing(long, float)} with the weights' standard deviation chosen per
   * parameter (by its first name); the draws are the same as with a constant std.
   */
  public void initializeMissing(long seed, java.util.function.ToDoubleFunction<String> stdOf) {
    Random rnd = new Random(seed);
    for (Map.Entry<Parameter, List<String>> e : distinct().entrySet()) {
      Parameter p = e.getKey();
      if (p.isSet()) {
        continue;
      }
      double std = stdOf.applyAsDouble(e.getValue().get(0));
      int n = Math.toIntExact(p.shape().size());
      float[] v = new float[n];
      switch (p.init()) {
        case NORMAL -> {
          for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * std);
          }
        }
        case ONES -> Arrays.fill(v, 1f);
        case ZEROS -> { }
      }
      setFloats(p, v);
    }
  }

  /** Number of scalar values over distinct parameters. */
  public long numel() {
    long n = 0;
    for (Parameter p : distinct().keySet()) {
      n += p.shape().size();
    }
    return n;
  }

  /** Values by canonical name for saving: each distinct parameter once per registered name. */
  public Map<String, NDArray> stateDict() {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, Parameter> e : byName.entrySet()) {
      out.put(e.getKey(), e.getValue().array());
    }
    return out;
  }

  /** A float32 scalar constant owned by {@code m} (avoid DJL's scalar overloads in graph code). */
  public static NDArray scalar(NDManager m, float v) {
    return m.full(new Shape(), v, DataType.FLOAT32);
  }

  @Override
  public void close() {
    manager.close();
  }
}
