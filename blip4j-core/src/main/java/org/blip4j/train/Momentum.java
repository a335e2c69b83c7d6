package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.nn.Parameter;

/**
 * The momentum encoder (BLIP §3.2 / ALBEF): an exponential moving average of the ViT, the text
 * encoder and both projections ({@code p_m ← m·p_m + (1 − m)·p}, m = 0.995), and the feature
 * queues it fills ({@code _dequeue_and_enqueue}). No gradient flows through any of this.
 */
public final class Momentum {
  /** BLIP's momentum coefficient. */
  public static final float DEFAULT = 0.995f;

  private final List<Parameter[]> pairs = new ArrayList<>();
  private final List<Parameter[]> visionPairs = new ArrayList<>();
  private final List<Parameter[]> nonVisionPairs = new ArrayList<>();
  private final BlipPretrainModel model;
  private boolean visionFrozen;
  private Boolean sharesVision; // decided at first use, after the momentum copies are set

  /** Pairs every online parameter with its momentum copy by name. */
  public Momentum(BlipPretrainModel model) {
    this.model = model;
    Map<String, Parameter> all = model.parameters().byName();
    for (Map.Entry<String, Parameter> e : all.entrySet()) {
      String online = e.getKey();
      String mom = momentumName(online);
      if (mom != null && all.containsKey(mom)) {
        Parameter[] pair = {e.getValue(), all.get(mom)};
        pairs.add(pair);
        (online.startsWith("vision_model.") ? visionPairs : nonVisionPairs).add(pair);
      }
    }
    if (pairs.isEmpty()) {
      throw new IllegalStateException("no momentum copies found");
    }
  }

  private static String momentumName(String online) {
    for (String prefix : new String[] {"vision_model.", "text_encoder.", "vision_proj.", "text_proj."}) {
      if (online.startsWith(prefix)) {
        return prefix.substring(0, prefix.length() - 1) + "_m." + online.substring(prefix.length());
      }
    }
    return null;
  }

  /** Number of (online, momentum) parameter pairs the moving average updates (does not fix the sharing decision). */
  public int size() {
    return (sharesVision == null ? shareable() : sharesVision) ? nonVisionPairs.size() : pairs.size();
  }

  private List<Parameter[]> averaged() {
    return sharesVision() ? nonVisionPairs : pairs;
  }

  /**
   * Declares which parameters are trained. When none of the ViT's is, and its momentum copy equals
   * it (set by {@link #copyParams} at the start, or a checkpoint pre-trained with the ViT frozen), the
   * momentum ViT IS the online ViT: the moving average of a constant is that constant. Its pairs are
   * then no longer averaged (which only added rounding), and {@link #sharesVision()} lets the momentum
   * features reuse the online ViT's states instead of a second pass over the images. A momentum ViT
   * that differs (fine-tuning a model whose ViT was trained) keeps BLIP's average and its own pass.
   */
  public void declareTrainable(Collection<Parameter> trainable) {
    Set<Parameter> trained = Collections.newSetFromMap(new IdentityHashMap<>());
    trained.addAll(trainable);
    visionFrozen = !visionPairs.isEmpty() && visionPairs.stream().noneMatch(p -> trained.contains(p[0]));
    sharesVision = null;
  }

  /** Whether the momentum ViT is the frozen online ViT ({@link #declareTrainable}); decided at the first call after the copies are set. */
  public boolean sharesVision() {
    if (sharesVision == null) {
      sharesVision = shareable();
    }
    return sharesVision;
  }

  private boolean shareable() {
    return visionFrozen && visionPairs.stream().allMatch(p -> p[0].array().contentEquals(p[1].array()));
  }

  /** {@code copy_params}: momentum copies start equal to the online parameters. */
  public void copyParams() {
    for (Parameter[] p : pairs) {
      p[1].set(p[0].array().duplicate());
    }
    sharesVision = null;
  }

  /** {@code p_m ← m·p_m + (1 − m)·p} in place, without gradient (not for a {@link #sharesVision() shared} ViT). */
  public void update(float m) {
    for (Parameter[] p : averaged()) {
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        NDArray mom = p[1].array();
        NDArray online = p[0].array().stopGradient();
        mom.muli(mom.getManager().create(m)).addi(online.mul(mom.getManager().create(1 - m)));
      }
    }
  }

  /** Writes the batch's momentum features [B, D] into the queues at the pointer and advances it. */
  public void enqueue(NDArray imageFeatM, NDArray textFeatM) {
    long b = imageFeatM.getShape().get(0);
    long q = model.imageQueue().shape().get(1);
    if (q % b != 0) {
      throw new IllegalArgumentException("queue size " + q + " must be a multiple of the batch size " + b);
    }
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      long ptr = model.queuePointer().array().toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray()[0];
      NDIndex cols = new NDIndex(":, " + ptr + ":" + (ptr + b));
      model.imageQueue().array().set(cols, imageFeatM.stopGradient().transpose());
      model.textQueue().array().set(cols, textFeatM.stopGradient().transpose());
      model.queuePointer().array().set(new NDIndex("0"), (ptr + b) % q);
    }
  }
}
