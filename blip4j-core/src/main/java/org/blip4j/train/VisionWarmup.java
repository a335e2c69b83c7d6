package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.blip4j.data.shapes.Scene;
import org.blip4j.data.shapes.SceneObject;
import org.blip4j.data.shapes.Vocabulary;
import org.blip4j.eval.BinaryScores;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.nn.Linear;
import org.blip4j.nn.Parameter;
import org.blip4j.nn.ParameterStore;
import org.blip4j.vision.VisionConfig;
import org.blip4j.vision.VisionTransformer;

/**
 * The Shapes world's stand-in for BLIP's ImageNet-pre-trained ViT: a fresh ViT with a linear head on
 * its [CLS] state learns what a caption could say of the scene ({@link #LABEL_NAMES}: colours,
 * shapes, count, colour with shape, positions, relations; multi-label binary cross-entropy over the
 * scene's ground truth, left and right swapped when the crop was flipped). BLIP never trains its image encoder from
 * scratch; a tiny ViT that does starts with a [CLS] state nearly independent of the image (small
 * objects on a textured background), and ITC against momentum features then collapses every image
 * to one feature. Warmed up this way, its features are distinct from the first pre-training step.
 * Only {@code vision_model.*} is handed on ({@link #copyInto}); the head is discarded.
 */
public final class VisionWarmup implements Objective<VisionWarmup.Item> {
  /** A training image and its label vector ({@link #LABELS} entries of 0/1). */
  public record Item(float[] pixels, float[] labels) {}

  /**
   * The labels, as phrases a caption could use. ImageNet's classes are what its images hold; here
   * they are what Shapes captions claim of a scene: each colour and shape ("red", "circle"), the
   * object count ("3 objects"), colour with shape ("red circle"), size with shape and with colour
   * ("small circle", "small red"), colour and shape at each position ("red on the left", "circle at
   * the top"), colours, shapes and coloured shapes seen at least twice ("2+ red circle"), and the
   * relations between two objects' shapes and between their colours ("circle to the left of star",
   * "red above blue").
   */
  public static final List<String> LABEL_NAMES;

  /** The group of each label, in {@link #LABEL_NAMES} order: colour, shape, count, colour+shape, size, position, 2+, relation. */
  public static final List<String> LABEL_GROUPS;

  static {
    Map<String, String> groups = labelGroups();
    LABEL_NAMES = List.copyOf(groups.keySet());
    LABEL_GROUPS = List.copyOf(groups.values());
  }

  /** The label vector's length. */
  public static final int LABELS = LABEL_NAMES.size();

  private static final Map<String, Integer> LABEL_INDEX = labelIndex();

  private final ParameterStore store;
  private final AdamW optimizer;
  private final float maxGradNorm;
  private final List<Parameter> trainable;
  /** Tower 0: the model itself. */
  private final Tower model;
  /** Towers 1.. of a data-parallel step, and the threads that run them. */
  private final List<Tower> replicas = new ArrayList<>();
  private final ExecutorService pool;

  /** A fresh ViT of {@code config} (N(0, 0.02), seeded) and head; optimiser state under {@code parent}; one tower. */
  public VisionWarmup(VisionConfig config, long seed, NDManager parent, float weightDecay, float maxGradNorm) {
    this(config, seed, parent, weightDecay, maxGradNorm, 1);
  }

  /**
   * As above, each step split over {@code towers} threads (see {@link #step}): the same update up to
   * float rounding, deterministic for a given number of towers.
   */
  public VisionWarmup(VisionConfig config, long seed, NDManager parent, float weightDecay, float maxGradNorm, int towers) {
    if (towers < 1) {
      throw new IllegalArgumentException("vision warm-up towers must be >= 1, got " + towers);
    }
    this.store = new ParameterStore(parent);
    VisionTransformer vision = new VisionTransformer(config, store, "vision_model");
    Linear head = new Linear(store, "head", config.hiddenSize(), LABELS);
    store.initializeMissing(seed, 0.02f);
    this.optimizer = new AdamW(parent, weightDecay);
    this.maxGradNorm = maxGradNorm;
    this.trainable = TrainableParameters.select(store, name -> true, null);
    this.model = new Tower(store, vision, head);
    for (int t = 1; t < towers; t++) {
      ParameterStore replica = new ParameterStore(parent);
      replicas.add(new Tower(replica, new VisionTransformer(config, replica, "vision_model"), new Linear(replica, "head", config.hiddenSize(), LABELS)));
    }
    AtomicInteger threads = new AtomicInteger();
    this.pool = replicas.isEmpty() ? null : Executors.newFixedThreadPool(replicas.size(), r -> {
      Thread th = new Thread(r, "blip4j-warmup-tower-" + threads.incrementAndGet());
      th.setDaemon(true);
      return th;
    });
  }

  /** One copy of the model a step's slice of the batch runs through. */
  private record Tower(ParameterStore store, VisionTransformer vision, Linear head) {
    NDArray logits(NDArray pixels) {
      return head.forward(vision.forward(pixels, false).lastHiddenState().get(new NDIndex(":, 0, :")));
    }
  }

  private static Map<String, String> labelGroups() {
    Map<String, String> groups = new LinkedHashMap<>();
    List<String> colors = Arrays.stream(Vocabulary.Color.values()).map(Vocabulary.Color::word).toList();
    List<String> shapes = Arrays.stream(Vocabulary.Shape.values()).map(Vocabulary.Shape::word).toList();
    List<String> kinds = new ArrayList<>(colors);
    kinds.addAll(shapes);
    colors.forEach(c -> groups.put(c, "colour"));
    shapes.forEach(s -> groups.put(s, "shape"));
    for (int n = 1; n <= 4; n++) {
      groups.put(n + " objects", "count");
    }
    for (String c : colors) {
      shapes.forEach(s -> groups.put(c + " " + s, "colour+shape"));
    }
    for (Vocabulary.Size z : Vocabulary.Size.values()) {
      kinds.forEach(k -> groups.put(z.word() + " " + k, "size"));
    }
    for (Vocabulary.Position p : Vocabulary.Position.values()) {
      kinds.forEach(k -> groups.put(k + " " + p.phrase, "position"));
    }
    kinds.forEach(k -> groups.put("2+ " + k, "2+"));
    for (String c : colors) {
      shapes.forEach(s -> groups.put("2+ " + c + " " + s, "2+"));
    }
    for (Vocabulary.Relation r : Vocabulary.Relation.values()) {
      for (List<String> group : List.of(shapes, colors)) {
        for (String x : group) {
          group.forEach(y -> groups.put(x + " " + r.phrase + " " + y, "relation"));
        }
      }
    }
    return groups;
  }

  private static Map<String, Integer> labelIndex() {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < LABEL_NAMES.size(); i++) {
      index.put(LABEL_NAMES.get(i), i);
    }
    return index;
  }

  /** The names of the labels that hold for a scene; {@code mirrored} when its image was flipped left to right. */
  public static Set<String> labelsOf(Scene scene, boolean mirrored) {
    Set<String> on = new LinkedHashSet<>();
    List<SceneObject> objects = scene.objects();
    Map<String, Integer> counts = new HashMap<>();
    for (SceneObject o : objects) {
      String c = o.color().word();
      String s = o.shape().word();
      on.addAll(List.of(c, s, c + " " + s, o.size().word() + " " + s, o.size().word() + " " + c));
      for (Vocabulary.Position p : Vocabulary.Position.values()) {
        if (scene.at(o, p)) {
          String phrase = (mirrored ? mirror(p) : p).phrase;
          on.add(c + " " + phrase);
          on.add(s + " " + phrase);
        }
      }
      for (String k : List.of(c, s, c + " " + s)) {
        if (counts.merge(k, 1, Integer::sum) == 2) {
          on.add("2+ " + k);
        }
      }
      for (SceneObject b : objects) {
        for (Vocabulary.Relation r : Vocabulary.Relation.values()) {
          if (o != b && scene.related(o, r, b)) {
            String phrase = (mirrored ? mirror(r) : r).phrase;
            on.add(s + " " + phrase + " " + b.shape().word());
            on.add(c + " " + phrase + " " + b.color().word());
          }
        }
      }
    }
    on.add(Math.min(4, objects.size()) + " objects");
    return on;
  }

  /** {@link #labelsOf} as the 0/1 target vector in {@link #LABEL_NAMES} order. */
  public static float[] labels(Scene scene, boolean mirrored) {
    float[] y = new float[LABELS];
    for (String name : labelsOf(scene, mirrored)) {
      y[LABEL_INDEX.get(name)] = 1;
    }
    return y;
  }

  private static Vocabulary.Position mirror(Vocabulary.Position p) {
    return switch (p) {
      case LEFT -> Vocabulary.Position.RIGHT;
      case RIGHT -> Vocabulary.Position.LEFT;
      default -> p;
    };
  }

  private static Vocabulary.Relation mirror(Vocabulary.Relation r) {
    return switch (r) {
      case LEFT_OF -> Vocabulary.Relation.RIGHT_OF;
      case RIGHT_OF -> Vocabulary.Relation.LEFT_OF;
      default -> r;
    };
  }

  @Override
  public void start() {}

  /**
   * One step on {@code items}. With several towers the batch is cut into consecutive slices, one per
   * tower, run at once on their own threads: libtorch's own intra-op threads do worse on this tiny ViT
   * (2 cores: 301 against 385 samples/s with one thread). Each extra tower holds aliases of the weights
   * (same storage, their own autograd leaves, so no copy and no race on a gradient); each slice's loss is
   * its share of the batch mean, and the extra towers' gradients are added to the model's in tower
   * order — the batch's gradient, summed in a fixed order.
   */
  @Override
  public StepOutput step(List<Item> items, StepContext ctx) {
    int b = items.size();
    int towers = Math.min(b, replicas.size() + 1);
    try (NDManager m = store.manager().getParentManager().newSubManager()) {
      List<Future<Slice>> others = new ArrayList<>();
      for (int t = 1; t < towers; t++) {
        Tower tower = replicas.get(t - 1);
        alias(store, tower.store());
        List<Item> part = items.subList(t * b / towers, (t + 1) * b / towers);
        others.add(pool.submit(() -> slice(tower, part, b, m)));
      }
      List<Slice> slices = new ArrayList<>();
      RuntimeException failure = null;
      try {
        slices.add(slice(model, items.subList(0, b / towers), b, m));
      } catch (RuntimeException e) {
        failure = e;
      }
      for (Future<Slice> f : others) { // every tower, also after a failure: none may outlive the step's arrays
        try {
          slices.add(join(f));
        } catch (RuntimeException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
      for (int t = 1; t < towers; t++) {
        addGradients(replicas.get(t - 1).store());
      }
      double norm = optimizer.update(trainable, ctx.lr(), maxGradNorm);
      double loss = 0;
      int tp = 0;
      int wrong = 0;
      for (Slice s : slices) {
        loss += s.loss();
        tp += s.truePositives();
        wrong += s.wrong();
      }
      Map<String, Double> out = new LinkedHashMap<>();
      out.put("loss", loss);
      out.put("f1", tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + wrong)); // micro-F1 of the batch's labels
      return new StepOutput(out, norm);
    }
  }

  /** What one tower's slice of a step gives: its share of the batch loss, and its label counts at logit 0. */
  private record Slice(double loss, int truePositives, int wrong) {}

  /**
   * Forward and backward of {@code items} through {@code tower} on the calling thread (autograd on
   * for this thread only), the loss scaled to the slice's share of the mean over a {@code batch}-item batch.
   */
  private static Slice slice(Tower tower, List<Item> items, int batch, NDManager parent) {
    int n = items.size();
    float[] y = new float[n * LABELS];
    for (int i = 0; i < n; i++) {
      System.arraycopy(items.get(i).labels(), 0, y, i * LABELS, LABELS);
    }
    try (Autograd autograd = new Autograd(); NDManager m = parent.newSubManager()) {
      NDArray pixels = TrainBatch.stack(m, items.stream().map(Item::pixels).toList());
      NDArray logits = tower.logits(pixels);
      NDArray loss = binaryCrossEntropy(logits, m.create(y, new Shape(n, LABELS))).mul(ParameterStore.scalar(m, n / (float) batch));
      autograd.backward(loss);
      float[] p = logits.toFloatArray();
      int tp = 0;
      int wrong = 0;
      for (int k = 0; k < p.length; k++) {
        boolean predicted = p[k] > 0;
        boolean truth = y[k] > 0.5f;
        tp += predicted && truth ? 1 : 0;
        wrong += predicted != truth ? 1 : 0;
      }
      return new Slice(loss.getFloat(), tp, wrong);
    }
  }

  private static Slice join(Future<Slice> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while a warm-up tower ran", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("a warm-up tower failed", e.getCause());
    }
  }

  /** Points every parameter of {@code to} at the storage of the same name in {@code from}, as a fresh leaf with its own gradient. */
  private static void alias(ParameterStore from, ParameterStore to) {
    from.byName().forEach((name, p) -> {
      NDArray view = p.array().stopGradient();
      view.setRequiresGradient(true);
      to.get(name).set(view);
    });
  }

  /** Adds each replica parameter's gradient to the gradient of the model's parameter of the same name. */
  private void addGradients(ParameterStore replica) {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      for (Map.Entry<Parameter, List<String>> e : store.distinct().entrySet()) {
        e.getKey().array().getGradient().addi(replica.get(e.getValue().get(0)).array().getGradient());
      }
    }
  }

  /**
   * Mean binary cross-entropy of {@code logits} against 0/1 {@code target}, in the stable form
   * max(x, 0) − x·y + log(1 + e^−|x|). The constants are tensors libtorch owns
   * ({@link ParameterStore#scalar}), not DJL's {@code maximum(Number)}: that overload wraps the
   * number in a Java buffer and frees it on return, while autograd keeps the tensor for the
   * backward pass — after a garbage collection in between, the gradient read freed memory.
   */
  static NDArray binaryCrossEntropy(NDArray logits, NDArray target) {
    NDManager m = logits.getManager();
    NDArray positive = logits.maximum(ParameterStore.scalar(m, 0f));
    NDArray softplus = logits.abs().neg().exp().add(ParameterStore.scalar(m, 1f)).log();
    return positive.sub(logits.mul(target)).add(softplus).mean();
  }

  /** The label logits [B, {@link #LABELS}] of normalised pixels [B, 3, H, W]: the head on the [CLS] state. */
  NDArray logits(NDArray pixels) {
    return model.logits(pixels);
  }

  /** How well the warmed-up ViT knows one group of labels on held-out scenes. */
  public record GroupScore(double auc, double f1, int labels) {}

  /**
   * Scores the head on held-out images per label group: the mean ROC AUC over the group's labels
   * that hold for at least 5 images and fail for at least 5 (how well the [CLS] state separates
   * them, whatever the threshold), and the micro-F1 at probability 0.5.
   *
   * @param pixels N images' normalised CHW pixels
   * @param targets their label vectors
   */
  public Map<String, GroupScore> evaluate(List<float[]> pixels, List<float[]> targets) {
    int n = targets.size();
    float[] p = new float[n * LABELS];
    for (int from = 0; from < n; from += 64) {
      List<float[]> chunk = pixels.subList(from, Math.min(n, from + 64));
      try (NDManager m = store.manager().getParentManager().newSubManager()) {
        System.arraycopy(logits(TrainBatch.stack(m, chunk)).toFloatArray(), 0, p, from * LABELS, chunk.size() * LABELS);
      }
    }
    Map<String, double[]> sums = new LinkedHashMap<>(); // auc sum, auc count, tp, wrong
    for (int k = 0; k < LABELS; k++) {
      double[] g = sums.computeIfAbsent(LABEL_GROUPS.get(k), x -> new double[4]);
      List<Float> pos = new ArrayList<>();
      List<Float> neg = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        boolean truth = targets.get(i)[k] > 0.5f;
        boolean predicted = p[i * LABELS + k] > 0;
        (truth ? pos : neg).add(p[i * LABELS + k]);
        g[2] += truth && predicted ? 1 : 0;
        g[3] += truth != predicted ? 1 : 0;
      }
      if (pos.size() >= 5 && neg.size() >= 5) {
        g[0] += new BinaryScores(pos, neg).auc();
        g[1]++;
      }
    }
    Map<String, GroupScore> out = new LinkedHashMap<>();
    sums.forEach((group, g) -> out.put(group, new GroupScore(g[1] == 0 ? Double.NaN : g[0] / g[1], g[2] == 0 ? 0 : 2 * g[2] / (2 * g[2] + g[3]), (int) g[1])));
    return out;
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
    if (pool != null) {
      pool.shutdownNow();
    }
    replicas.forEach(t -> t.store().close());
    optimizer.close();
    store.close();
  }
}
