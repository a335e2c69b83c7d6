package org.blip4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blip4j.data.shapes.Scene;
import org.blip4j.data.shapes.SceneObject;
import org.blip4j.data.shapes.Vocabulary;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.nn.Linear;
import org.blip4j.nn.Parameter;
import org.blip4j.nn.ParameterStore;
import org.blip4j.vision.VisionConfig;
import org.blip4j.vision.VisionTransformer;

/**
 * The Shapes world's stand-in for BLIP's ImageNet-pre-trained ViT: a fresh ViT with a linear head on
 * its [CLS] state learns which colours and shapes an image holds and how many objects (multi-label,
 * binary cross-entropy over the scene's ground truth). BLIP never trains its image encoder from
 * scratch; a tiny ViT that does starts with a [CLS] state nearly independent of the image (small
 * objects on a textured background), and ITC against momentum features then collapses every image
 * to one feature. Warmed up this way, its features are distinct from the first pre-training step.
 * Only {@code vision_model.*} is handed on ({@link #copyInto}); the head is discarded.
 */
public final class VisionWarmup implements Objective<VisionWarmup.Item> {
  /** A training image and its label vector ({@link #LABELS} entries of 0/1). */
  public record Item(float[] pixels, float[] labels) {}

  /** Colours present, shapes present, object count (one-hot, 1–4). */
  public static final int LABELS = Vocabulary.Color.values().length + Vocabulary.Shape.values().length + 4;

  private final ParameterStore store;
  private final VisionTransformer vision;
  private final Linear head;
  private final AdamW optimizer;
  private final float maxGradNorm;
  private final List<Parameter> trainable;

  /** A fresh ViT of {@code config} (N(0, 0.02), seeded) and head; optimiser state under {@code parent}. */
  public VisionWarmup(VisionConfig config, long seed, NDManager parent, float weightDecay, float maxGradNorm) {
    this.store = new ParameterStore(parent);
    this.vision = new VisionTransformer(config, store, "vision_model");
    this.head = new Linear(store, "head", config.hiddenSize(), LABELS);
    store.initializeMissing(seed, 0.02f);
    this.optimizer = new AdamW(parent, weightDecay);
    this.maxGradNorm = maxGradNorm;
    this.trainable = TrainableParameters.select(store, name -> true, null);
  }

  /** The label vector of a scene. */
  public static float[] labels(Scene scene) {
    float[] y = new float[LABELS];
    int colors = Vocabulary.Color.values().length;
    int shapes = Vocabulary.Shape.values().length;
    for (SceneObject o : scene.objects()) {
      y[o.color().ordinal()] = 1;
      y[colors + o.shape().ordinal()] = 1;
    }
    y[colors + shapes + Math.min(4, scene.objects().size()) - 1] = 1;
    return y;
  }

  @Override
  public void start() {}

  @Override
  public StepOutput step(List<Item> items, StepContext ctx) {
    int b = items.size();
    float[] y = new float[b * LABELS];
    for (int i = 0; i < b; i++) {
      System.arraycopy(items.get(i).labels(), 0, y, i * LABELS, LABELS);
    }
    try (NDManager m = store.manager().getParentManager().newSubManager()) {
      NDArray pixels = TrainBatch.stack(m, items.stream().map(Item::pixels).toList());
      NDArray target = m.create(y, new Shape(b, LABELS));
      NDArray loss;
      NDArray logits;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        logits = head.forward(vision.forward(pixels, false).lastHiddenState().get(new NDIndex(":, 0, :")));
        // binary cross-entropy with logits, stable form: max(x, 0) − x·y + log(1 + e^−|x|)
        loss = logits.maximum(0f).sub(logits.mul(target)).add(logits.abs().neg().exp().add(1f).log()).mean();
        gc.backward(loss);
      }
      double norm = optimizer.update(trainable, ctx.lr(), maxGradNorm);
      float[] p = logits.toFloatArray();
      int exact = 0;
      for (int i = 0; i < b; i++) {
        boolean ok = true;
        for (int k = 0; k < LABELS; k++) {
          ok &= (p[i * LABELS + k] > 0) == (y[i * LABELS + k] > 0.5f);
        }
        exact += ok ? 1 : 0;
      }
      Map<String, Double> out = new LinkedHashMap<>();
      out.put("loss", (double) loss.getFloat());
      out.put("exact", exact / (double) b);
      return new StepOutput(out, norm);
    }
  }

  /** Copies the warmed-up ViT into {@code model}'s online ViT (its momentum copy follows at the start of pre-training). */
  public void copyInto(BlipPretrainModel model) {
    copyVision(store, model.parameters());
  }

  /** Copies every {@code vision_model.*} tensor of {@code from} into the same name of {@code to}. */
  static void copyVision(ParameterStore from, ParameterStore to) {
    from.byName().forEach((name, p) -> {
      if (name.startsWith("vision_model.")) {
        Parameter target = to.get(name);
        if (!target.shape().equals(p.shape())) {
          throw new IllegalArgumentException("warm-up ViT '" + name + "' is " + p.shape() + ", the model's is " + target.shape());
        }
        target.set(p.array().duplicate());
        target.array().attach(to.manager());
      }
    });
  }

  @Override
  public ParameterStore parameters() {
    return store;
  }

  @Override
  public AdamW optimizer() {
    return optimizer;
  }

  @Override
  public List<Parameter> trainable() {
    return trainable;
  }

  @Override
  public void close() {
    optimizer.close();
    store.close();
  }
}
