package org.blip4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.blip4j.Blip4j;
import org.blip4j.data.BadSampleCounter;
import org.blip4j.data.shapes.Scene;
import org.blip4j.data.shapes.SceneObject;
import org.blip4j.data.shapes.Vocabulary;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.Similarity;
import org.blip4j.text.BatchEncoding;
import org.blip4j.text.BertTokenizer;
import org.blip4j.text.Padding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two remedies for pre-training a tiny BLIP from scratch on Shapes: the vision warm-up (the
 * ImageNet stand-in) learns the scenes' attributes and hands exactly its ViT on, and a text-side init
 * std of about 1/sqrt(width) gives the [CLS] feature a dependence on the text from the first step.
 */
class VisionWarmupTest {
  @TempDir Path dir;

  /** A one-step pre-training config on a tiny Shapes world with the given {@code vision_warmup} section. */
  private PretrainConfig config(String file, String warmup) throws IOException {
    Path config = dir.resolve(file);
    Files.writeString(config, """
        {"model": "tiny", "image_size": 32,
         "shapes": {"dir": "shapes", "scale": 0.02, "noise": 0.4, "image_size": 64, "seed": 3},
         "datasets": [{"shapes": "human_train"}],
         "vision_warmup": %s,
         "batch_size": 8, "epochs": 1, "max_steps": 1, "queue_size": 16, "log_every": 1, "seed": 5}
        """.formatted(warmup));
    return PretrainConfig.read(config);
  }

  /** Runs {@code c} into {@code out}; the records of its warm-up steps (those reporting "f1"). */
  private List<StepRecord> warmupSteps(PretrainConfig c, Path out) throws IOException {
    return warmupSteps(c, out, false);
  }

  /** As above, resuming the run in {@code out} when {@code resume}. */
  private List<StepRecord> warmupSteps(PretrainConfig c, Path out, boolean resume) throws IOException {
    List<StepRecord> steps = new ArrayList<>();
    PretrainJob.run(c, dir, out, resume, new BadSampleCounter(), new TrainingListener() {
      @Override
      public void stepped(StepRecord r) {
        if (r.losses().containsKey("f1")) {
          steps.add(r);
        }
      }
    }, (d, t) -> {});
    return steps;
  }

  @Test
  void labelsAreWhatACaptionCouldSayOfTheScene() {
    // canvas 64: a small red circle at the top left, a large blue star at the bottom right, a small red
    // star at the bottom left (position margin 3.2 px, relation margin 2 px)
    Scene s = new Scene(64, List.of(
        new SceneObject(Vocabulary.Shape.CIRCLE, Vocabulary.Color.RED, Vocabulary.Size.SMALL, 10, 10, 5, 0xFF0000),
        new SceneObject(Vocabulary.Shape.STAR, Vocabulary.Color.BLUE, Vocabulary.Size.LARGE, 48, 48, 12, 0x0000FF),
        new SceneObject(Vocabulary.Shape.STAR, Vocabulary.Color.RED, Vocabulary.Size.SMALL, 12, 50, 5, 0xFF0000)),
        new Scene.Background(0x202020, 0x303030, true, 4, 1));
    assertThat(VisionWarmup.labelsOf(s, false)).containsExactlyInAnyOrder(
        "red", "blue", "circle", "star", "3 objects",
        "red circle", "blue star", "red star", "small circle", "large star", "small star", "small red", "large blue",
        "red on the left", "red at the top", "circle on the left", "circle at the top",
        "blue on the right", "blue at the bottom", "star on the right", "star at the bottom",
        "star on the left", "red at the bottom",
        "2+ red", "2+ star",
        "circle to the left of star", "red to the left of blue", "circle above star", "red above blue", "red above red",
        "star to the right of circle", "blue to the right of red", "star below circle", "blue below red", "red below red",
        "star to the right of star", "star to the left of star");
    // flipped left to right: left and right swap, nothing else changes
    assertThat(VisionWarmup.labelsOf(s, true)).contains("red on the right", "circle to the right of star", "star to the left of circle")
        .doesNotContain("red on the left", "circle to the left of star").contains("red at the top", "circle above star");
    float[] y = VisionWarmup.labels(s, false);
    assertThat(y).hasSize(VisionWarmup.LABELS);
    assertThat(VisionWarmup.LABEL_NAMES).doesNotHaveDuplicates().hasSize(612);
    int on = 0;
    for (int i = 0; i < y.length; i++) {
      on += (int) y[i];
      assertThat(y[i] == 1f).as(VisionWarmup.LABEL_NAMES.get(i)).isEqualTo(VisionWarmup.labelsOf(s, false).contains(VisionWarmup.LABEL_NAMES.get(i)));
    }
    assertThat(on).isEqualTo(VisionWarmup.labelsOf(s, false).size());
  }

  @Test
  void warmupLearnsTheScenesAndPretrainingStartsFromItsViT() throws IOException {
    PretrainConfig c = config("warm.json", """
        {"steps": 120, "lr": 2e-3, "batch_size": 8}""");
    Path out = dir.resolve("run");
    List<Double> losses = new ArrayList<>(warmupSteps(c, out).stream().map(r -> r.losses().get("loss")).toList());
    assertThat(losses).hasSize(120);
    double first = losses.subList(0, 10).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double last = losses.subList(110, 120).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    assertThat(last).as("BCE of the attribute head, first vs last 10 steps").isLessThan(0.9 * first);

    // the pre-training model started from the warmed-up ViT: its momentum copy (copied at the start,
    // then moved by one EMA step of a lr-1e-6 update) still equals the warm-up's final ViT closely
    Path warm = Files.list(out.resolve("vision-warmup/checkpoints")).filter(Files::isDirectory).findFirst().orElseThrow();
    try (NDManager m = NDManager.newBaseManager();
        BlipPretrainModel model = (BlipPretrainModel) org.blip4j.checkpoint.ModelDirectory.load(out.resolve("model"), m)) {
      org.blip4j.checkpoint.SafeTensors file = org.blip4j.checkpoint.SafeTensors.open(warm.resolve("model.safetensors"));
      String name = "vision_model.encoder.layers.0.self_attn.qkv.weight";
      NDArray warmed = file.toNDArray(m, name);
      NDArray fresh = PretrainJob.randomModel(PretrainJob.modelConfig("tiny", 32), 16, 5, m).parameters().get(name).array();
      NDArray momentum = model.parameters().get("vision_model_m.encoder.layers.0.self_attn.qkv.weight").array();
      assertThat(momentum.sub(warmed).abs().max().getFloat()).isLessThan(1e-3f);
      assertThat(fresh.sub(warmed).abs().max().getFloat()).isGreaterThan(1e-2f);
    }

    // rerun with --resume: the finished warm-up is reused, not repeated
    losses.clear();
    PretrainJob.run(c.withMaxSteps(2), dir, out, true, new BadSampleCounter(), new TrainingListener() {
      @Override
      public void stepped(StepRecord r) {
        losses.add(r.losses().get("loss"));
      }
    }, (d, t) -> {});
    assertThat(losses).hasSize(1);
  }

  @Test
  void labelGroupsFollowTheNames() {
    assertThat(VisionWarmup.LABEL_GROUPS).hasSameSizeAs(VisionWarmup.LABEL_NAMES);
    assertThat(VisionWarmup.LABEL_GROUPS.get(VisionWarmup.LABEL_NAMES.indexOf("star"))).isEqualTo("shape");
    assertThat(VisionWarmup.LABEL_GROUPS.get(VisionWarmup.LABEL_NAMES.indexOf("small red"))).isEqualTo("size");
    assertThat(VisionWarmup.LABEL_GROUPS.get(VisionWarmup.LABEL_NAMES.indexOf("cyan at the bottom"))).isEqualTo("position");
    assertThat(VisionWarmup.LABEL_GROUPS.get(VisionWarmup.LABEL_NAMES.indexOf("red above blue"))).isEqualTo("relation");
  }

  @Test
  void freshScenesAreNoneOfTheWorldsImagesAndTrainTheWarmup() throws IOException {
    PretrainConfig c = config("fresh.json", """
        {"steps": 6, "batch_size": 8, "images": 40}""");
    Path out = dir.resolve("run");
    assertThat(warmupSteps(c, out)).hasSize(6);
    // the finished warm-up is scored once on held-out fresh scenes, per label group
    com.fasterxml.jackson.databind.JsonNode heldOut = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        out.resolve("vision-warmup/heldout.json").toFile());
    assertThat(heldOut.get("held_out_scenes").asInt()).isEqualTo(1000);
    for (String group : List.of("colour", "shape", "count", "colour+shape", "size", "position", "2+", "relation")) {
      assertThat(heldOut.get(group).get("auc").asDouble()).as(group).isBetween(0.0, 1.0);
      assertThat(heldOut.get(group).get("labels").asInt()).as(group).isPositive();
    }
    // and again on the held-out scenes of one large object
    assertThat(heldOut.get("one_large_object").get("scenes").asInt()).isBetween(20, 400);
    assertThat(heldOut.get("one_large_object").get("shape").get("auc").asDouble()).isBetween(0.0, 1.0);
    // in a fixed key order, so equal scores are equal bytes from one JVM to the next
    assertThat(heldOut.fieldNames()).toIterable().first().isEqualTo("held_out_scenes");
    assertThat(heldOut.fieldNames()).toIterable().last().isEqualTo("one_large_object");
    assertThat(heldOut.get("colour").fieldNames()).toIterable().containsExactly("auc", "f1", "labels");
    assertThat(heldOut.get("one_large_object").get("shape").fieldNames()).toIterable().containsExactly("auc", "labels");

    org.blip4j.data.shapes.ShapesWorld world = org.blip4j.data.shapes.ShapesWorld.open(out.resolve("shapes"));
    List<Scene> fresh = PretrainJob.warmupScenes(world.config(), 0, 40);
    assertThat(fresh).hasSize(40).isEqualTo(PretrainJob.warmupScenes(world.config(), 0, 40));
    assertThat(PretrainJob.warmupScenes(world.config(), 30, 10)).isEqualTo(fresh.subList(30, 40));
    List<Scene> worldScenes = new ArrayList<>();
    for (String split : List.of("human_train", "web_train", "test")) {
      for (com.fasterxml.jackson.databind.JsonNode r : new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("shapes/" + split + ".json").toFile())) {
        worldScenes.add(world.sceneOf(r.get("image").asText()));
      }
    }
    assertThat(worldScenes).hasSizeGreaterThan(40).doesNotContainAnyElementsOf(fresh);
  }

  @Test
  void singleObjectCurriculumRunsFirstAndBothStagesResume() throws IOException {
    PretrainConfig c = config("curriculum.json", """
        {"steps": 4, "batch_size": 8, "images": 200, "single_object_steps": 3}""");
    Path out = dir.resolve("curriculum");
    List<StepRecord> steps = warmupSteps(c, out);
    assertThat(steps).hasSize(7);
    // stage one: constant rate after its one warm-up step; stage two: its own warm-up, then cosine
    assertThat(steps.subList(1, 3)).extracting(StepRecord::lr).containsOnly(1e-3f);
    assertThat(steps.get(3).lr()).isLessThan(1e-5f);
    assertThat(Files.readAllLines(out.resolve("vision-warmup/single-object/metrics.jsonl"))).hasSize(3);
    assertThat(Files.readAllLines(out.resolve("vision-warmup/metrics.jsonl"))).hasSize(4);
    // a rerun finds both stages finished: no warm-up step is taken again
    assertThat(warmupSteps(c, out, true)).isEmpty();

    org.blip4j.data.shapes.ShapesWorld world = org.blip4j.data.shapes.ShapesWorld.open(out.resolve("shapes"));
    List<Scene> single = PretrainJob.warmupScenes(world.config(), 0, 200).stream().filter(PretrainJob::isSingleLargeObject).toList();
    assertThat(single).hasSizeBetween(8, 100).allSatisfy(s -> {
      assertThat(s.objects()).hasSize(1);
      assertThat(s.objects().get(0).size()).isEqualTo(org.blip4j.data.shapes.Vocabulary.Size.LARGE);
    });

    // stage two draws a quarter of its samples again from the single-object scenes: 3 copies of 10 next to 100
    List<org.blip4j.data.Sample> hundred = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      hundred.add(new org.blip4j.data.Sample("s" + i, new org.blip4j.data.ImageRef.Bytes(i + ".png", new byte[0], "s" + i), List.of("s" + i), java.util.Map.of()));
    }
    List<org.blip4j.data.Sample> mixed = PretrainJob.withRepeats(hundred, hundred.subList(0, 10), 0.25);
    assertThat(mixed).hasSize(130).startsWith(hundred.toArray(new org.blip4j.data.Sample[0]));
    assertThat(mixed.stream().map(org.blip4j.data.Sample::key).distinct()).hasSize(130);
    assertThat(mixed.subList(100, 130)).extracting(x -> x.image().source()).containsOnly(hundred.subList(0, 10).stream().map(x -> x.image().source()).toArray(String[]::new));
    assertThat(PretrainJob.withRepeats(hundred, hundred.subList(0, 10), 0)).isSameAs(hundred);

    PretrainConfig few = config("few.json", """
        {"steps": 4, "batch_size": 8, "images": 8, "single_object_steps": 3}""");
    assertThatThrownBy(() -> warmupSteps(few, dir.resolve("few"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one large object").hasMessageContaining("fewer images than one batch of 8");
  }

  /**
   * The loss's gradient is d/dx = (sigmoid(x) − y) / N even when the JVM collects garbage between
   * the forward and the backward pass, and the freed native memory is reused. With DJL's
   * {@code maximum(0f)} the constant autograd keeps for the backward pass lived in a Java buffer
   * that the collection freed: the gradient then read whatever was written there (here −1e30, so
   * every negative logit got the gradient of a positive one). Runs of one build parted at a random
   * step because of it.
   */
  @Test
  void lossGradientSurvivesAGarbageCollectionBeforeBackward() throws InterruptedException {
    Blip4j.init();
    java.util.Random random = new java.util.Random(3);
    for (int trial = 0; trial < 5; trial++) {
      try (NDManager m = NDManager.newBaseManager()) {
        float[] x = new float[32];
        float[] y = new float[32];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) random.nextGaussian() * 2;
          y[i] = random.nextBoolean() ? 1 : 0;
        }
        NDArray logits = m.create(x, new Shape(4, 8));
        logits.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray loss = VisionWarmup.binaryCrossEntropy(logits, m.create(y, new Shape(4, 8)));
          reuseFreedNativeMemory();
          gc.backward(loss);
        }
        float[] g = logits.getGradient().toFloatArray();
        for (int i = 0; i < x.length; i++) {
          double expected = (1 / (1 + Math.exp(-x[i])) - y[i]) / x.length;
          assertThat((double) g[i]).as("trial %d, d loss / d x[%d] at x = %f, y = %f", trial, i, x[i], y[i]).isCloseTo(expected, within(1e-6));
        }
      }
    }
  }

  /** Lets a collection free unreachable direct buffers, then fills small fresh ones with −1e30 (they take the freed memory). */
  private static void reuseFreedNativeMemory() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(30);
    }
    List<ByteBuffer> junk = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      junk.add(ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putFloat(0, -1e30f));
    }
    assertThat(junk).hasSize(2000);
  }

  /**
   * Splitting each step over towers (one thread each) is the same optimisation: after three steps on
   * an odd batch (slices of 2, 2 and 3 items) the losses, gradient norms and weights equal one
   * tower's up to float rounding, and a rerun with three towers gives the same bits.
   */
  @Test
  void towersTakeTheSameStepsAsOneModel() {
    Blip4j.init();
    java.util.Random random = new java.util.Random(11);
    List<List<VisionWarmup.Item>> batches = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      List<VisionWarmup.Item> batch = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        float[] pixels = new float[3 * 32 * 32];
        for (int k = 0; k < pixels.length; k++) {
          pixels[k] = (float) random.nextGaussian();
        }
        float[] labels = new float[VisionWarmup.LABELS];
        for (int k = 0; k < labels.length; k++) {
          labels[k] = random.nextInt(8) == 0 ? 1 : 0;
        }
        batch.add(new VisionWarmup.Item(pixels, labels));
      }
      batches.add(batch);
    }
    org.blip4j.vision.VisionConfig vit = PretrainJob.modelConfig("tiny", 32).vision();
    try (NDManager m = NDManager.newBaseManager();
        VisionWarmup one = new VisionWarmup(vit, 9, m, 0.05f, 5f, 1);
        VisionWarmup three = new VisionWarmup(vit, 9, m, 0.05f, 5f, 3);
        VisionWarmup again = new VisionWarmup(vit, 9, m, 0.05f, 5f, 3)) {
      for (int s = 0; s < batches.size(); s++) {
        StepContext ctx = new StepContext(s, 0, s, 3, 1e-3f, new java.util.SplittableRandom(s));
        Objective.StepOutput a = one.step(batches.get(s), ctx);
        Objective.StepOutput b = three.step(batches.get(s), ctx);
        Objective.StepOutput c = again.step(batches.get(s), ctx);
        assertThat(b.losses().get("loss")).as("step %d loss", s).isCloseTo(a.losses().get("loss"), within(1e-6));
        assertThat(b.losses().get("f1")).as("step %d f1", s).isEqualTo(a.losses().get("f1"));
        assertThat(b.gradNorm()).as("step %d gradient norm", s).isCloseTo(a.gradNorm(), within(1e-5 * a.gradNorm()));
        assertThat(c.losses()).isEqualTo(b.losses());
        assertThat(c.gradNorm()).isEqualTo(b.gradNorm());
      }
      // after three steps every weight agrees: a tower whose gradient was lost would show here
      for (Map.Entry<String, org.blip4j.nn.Parameter> e : one.parameters().byName().entrySet()) {
        float[] w1 = e.getValue().array().toFloatArray();
        float[] w3 = three.parameters().get(e.getKey()).array().toFloatArray();
        float[] w3again = again.parameters().get(e.getKey()).array().toFloatArray();
        for (int k = 0; k < w1.length; k++) {
          assertThat(w3[k]).as("%s[%d]", e.getKey(), k).isCloseTo(w1[k], within(1e-5f));
        }
        assertThat(w3again).as(e.getKey()).isEqualTo(w3);
      }
      // more towers than items: the surplus towers sit the step out
      Objective.StepOutput small = three.step(batches.get(0).subList(0, 2), new StepContext(3, 0, 3, 3, 1e-3f, new java.util.SplittableRandom(3)));
      assertThat(small.losses().get("loss")).isFinite().isPositive();
    }
    assertThatThrownBy(() -> new VisionWarmup(PretrainJob.modelConfig("tiny", 32).vision(), 9, null, 0.05f, 5f, 0))
        .hasMessageContaining("towers must be >= 1");
  }

  @Test
  void warmupNeedsTheShapesWorldAndAFreshModel() throws IOException {
    Path a = dir.resolve("a.json");
    Files.writeString(a, """
        {"datasets": [{"path": "x.json"}], "vision_warmup": {"steps": 10}}
        """);
    assertThatThrownBy(() -> PretrainConfig.read(a)).hasMessageContaining("vision_warmup").hasMessageContaining("shapes");
    Path b = dir.resolve("b.json");
    Files.writeString(b, """
        {"init": "m", "shapes": {"scale": 0.01}, "datasets": [{"shapes": "human_train"}], "vision_warmup": {"steps": 10}}
        """);
    assertThatThrownBy(() -> PretrainConfig.read(b)).hasMessageContaining("vision_warmup").hasMessageContaining("init");
    Path c = dir.resolve("c.json");
    Files.writeString(c, """
        {"shapes": {"scale": 0.01}, "datasets": [{"shapes": "human_train"}], "vision_warmup": {"steps": 0}}
        """);
    assertThatThrownBy(() -> PretrainConfig.read(c)).hasMessageContaining("vision_warmup.steps");
    Files.writeString(c, """
        {"shapes": {"scale": 0.01}, "datasets": [{"shapes": "human_train"}], "vision_warmup": {"steps": 1, "single_object_steps": -1}}
        """);
    assertThatThrownBy(() -> PretrainConfig.read(c)).hasMessageContaining("vision_warmup.single_object_steps must be >= 0");
  }

  @Test
  void widerTextInitMakesTheTinyClsFeatureDependOnTheText() {
    BertTokenizer tok = BertTokenizer.bertBaseUncased();
    List<String> caps = List.of("a red circle", "two blue squares on the left", "there is a yellow star");
    BatchEncoding enc = tok.encodeBatch(caps, Padding.LONGEST, true, 30);
    Shape ts = new Shape(caps.size(), enc.sequenceLength());
    Map<Float, Float> maxCos = new java.util.HashMap<>();
    for (float std : new float[] {0.02f, 0.144f}) {
      try (NDManager m = NDManager.newBaseManager();
          BlipPretrainModel model = PretrainJob.randomModel(PretrainJob.modelConfig("tiny", 32), 16, 7, std, m)) {
        NDArray f = model.textFeatures(m.create(enc.flatInputIds(), ts), m.create(enc.flatAttentionMask(), ts));
        NDArray cos = Similarity.cosine(f, f).sub(m.eye(caps.size()).mul(10f)); // off-diagonal maximum
        maxCos.put(std, cos.max().getFloat());
      }
    }
    assertThat(maxCos.get(0.02f)).as("BLIP's 0.02 at width 48: [CLS] nearly text-independent").isGreaterThan(0.999f);
    assertThat(maxCos.get(0.144f)).as("1/sqrt(48)").isLessThan(0.95f);
  }
}
