package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import org.blip4j.checkpoint.ModelDirectory;
import org.blip4j.data.BadSampleListener;
import org.blip4j.data.ImageRef;
import org.blip4j.data.ReadOptions;
import org.blip4j.data.Sample;
import org.blip4j.data.SampleIterator;
import org.blip4j.data.SampleReaders;
import org.blip4j.data.loader.DataLoader;
import org.blip4j.data.loader.SampleTransform;
import org.blip4j.data.shapes.Scene;
import org.blip4j.data.shapes.SceneRenderer;
import org.blip4j.data.shapes.ShapesConfig;
import org.blip4j.data.shapes.ShapesGenerator;
import org.blip4j.data.shapes.ShapesProgressListener;
import org.blip4j.data.shapes.ShapesWorld;
import org.blip4j.data.shapes.Vocabulary;
import org.blip4j.data.transform.FlipPolicy;
import org.blip4j.data.transform.HorizontalFlip;
import org.blip4j.data.transform.NlvrPairTransform;
import org.blip4j.data.transform.RandAugment;
import org.blip4j.data.transform.TrainTransform;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.ImagePreprocessor;
import org.blip4j.image.RgbImage;
import org.blip4j.model.BlipConfig;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.BlipPretrainedModel;
import org.blip4j.model.Similarity;
import org.blip4j.model.TextConfig;
import org.blip4j.text.BertTokenizer;
import org.blip4j.vision.VisionConfig;

/**
 * {@code blip pretrain}: builds the data, model and objective a {@link PretrainConfig} describes
 * and runs them through the {@link Trainer}. At the end the model is also saved in HF layout under
 * {@code <out>/model/}, loadable by every command.
 */
public final class PretrainJob {
  private PretrainJob() {}

  /** Named model sizes as builders from the image side in px, in the order {@link #MODEL_SIZES} lists them. */
  private static final Map<String, IntFunction<BlipConfig>> NAMED_SIZES = namedSizes();

  /** The names {@link #modelConfig} knows. */
  public static final List<String> MODEL_SIZES = List.copyOf(NAMED_SIZES.keySet());

  private static Map<String, IntFunction<BlipConfig>> namedSizes() {
    Map<String, IntFunction<BlipConfig>> sizes = new LinkedHashMap<>();
    IntFunction<VisionConfig> tinyVit = imageSize -> new VisionConfig(48, 96, 2, 4, imageSize, 16, 1e-6, "gelu");
    sizes.put("tiny", imageSize -> new BlipConfig(tinyVit.apply(imageSize), new TextConfig(30524, 48, 48, 96, 2, 4, 64, 1e-12, "gelu", 30522, 0, 2, 102), 32, 32, 2.6592, null));
    // tiny's ViT with a text side twice as wide: at 48 the decoder cannot tell which shape the named colour has
    sizes.put("mini", imageSize -> new BlipConfig(tinyVit.apply(imageSize), new TextConfig(30524, 96, 48, 384, 2, 4, 64, 1e-12, "gelu", 30522, 0, 2, 102), 32, 32, 2.6592, null));
    // mini with a ViT as wide as its text side: on held-out Shapes scenes colour+shape F1 0.66 against 0.50, for 1.7× the ViT's time
    sizes.put("midi", imageSize -> new BlipConfig(new VisionConfig(96, 384, 2, 4, imageSize, 16, 1e-6, "gelu"),
        new TextConfig(30524, 96, 96, 384, 2, 4, 64, 1e-12, "gelu", 30522, 0, 2, 102), 32, 32, 2.6592, null));
    sizes.put("small", imageSize -> new BlipConfig(new VisionConfig(256, 1024, 4, 4, imageSize, 16, 1e-6, "gelu"),
        new TextConfig(30524, 256, 256, 1024, 4, 4, 64, 1e-12, "gelu", 30522, 0, 2, 102), 128, 128, 2.6592, null));
    sizes.put("base", imageSize -> new BlipConfig(VisionConfig.base(imageSize).withEps(1e-6), TextConfig.base(768), 512, 256, 2.6592, null));
    sizes.put("large", imageSize -> new BlipConfig(VisionConfig.large(imageSize).withEps(1e-6), TextConfig.base(1024), 512, 256, 2.6592, null));
    return sizes;
  }

  /** Named model sizes at {@code imageSize} px: the ViT/BERT widths and depths; projections 256 (BLIP's embed_dim) from small up. */
  public static BlipConfig modelConfig(String size, int imageSize) {
    IntFunction<BlipConfig> named = NAMED_SIZES.get(size);
    if (named != null) {
      return named.apply(imageSize);
    }
    Path p = Path.of(size);
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException("model must be one of " + String.join(", ", MODEL_SIZES) + " or a config.json path; '" + size + "' is none of them");
    }
    return BlipConfig.read(p);
  }

  /**
   * A pre-training model with BLIP's initialisation for a fresh run: weights N(0, 0.02), zero biases,
   * unit LayerNorm gains, temperature 0.07, queues of random unit columns; seeded.
   */
  public static BlipPretrainModel randomModel(BlipConfig config, int queueSize, long seed, NDManager parent) {
    return randomModel(config, queueSize, seed, 0.02f, parent);
  }

  /** As above with the text-side weights (everything but the ViTs and vision projections) drawn with {@code textStd}. */
  public static BlipPretrainModel randomModel(BlipConfig config, int queueSize, long seed, float textStd, NDManager parent) {
    BlipPretrainModel model = new BlipPretrainModel(config, queueSize, parent);
    NDManager m = model.parameters().manager();
    model.temperature().set(m.create(0.07f));
    Random r = new Random(seed ^ 0x5DEECE66DL);
    long d = model.imageQueue().shape().get(0);
    for (var queue : List.of(model.imageQueue(), model.textQueue())) {
      float[] v = new float[Math.toIntExact(d * queueSize)];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) r.nextGaussian();
      }
      NDArray q = m.create(v, new Shape(d, queueSize));
      queue.set(Similarity.l2Normalize(q.transpose()).transpose().duplicate());
    }
    model.parameters().initializeMissing(seed, name -> name.startsWith("vision_") ? 0.02f : textStd);
    return model;
  }

  /** Mixed into the world's seed for the warm-up's fresh scenes. */
  private static final long WARMUP_SEED = 0x5EED_1A6E_0F_1CEL;

  /** Held-out fresh scenes the warm-up is scored on, and the file of the scores. */
  static final int HELD_OUT = 1000;
  static final String HELD_OUT_FILE = "heldout.json";
  /** One lock per vision warm-up directory (see {@link #warmUpVision}). */
  private static final Map<Path, Object> WARMUP_LOCKS = new ConcurrentHashMap<>();

  /**
   * Scores a finished warm-up on {@link #HELD_OUT} fresh scenes after its {@code images} training
   * scenes (eval transform, no flip) and writes the per-group AUC and F1 to {@code file}, once.
   */
  private static void scoreWarmup(VisionWarmup warmup, ShapesConfig world, int images, int imageSize, Path file) throws IOException {
    if (Files.isRegularFile(file)) {
      return;
    }
    List<Scene> heldOut = warmupScenes(world, images, HELD_OUT);
    ImagePreprocessor preprocessor = new ImagePreprocessor(imageSize);
    ImageDecoder decoder = new ImageDecoder();
    List<float[]> pixels = new ArrayList<>();
    List<float[]> targets = new ArrayList<>();
    List<float[]> singlePixels = new ArrayList<>();
    List<float[]> singleTargets = new ArrayList<>();
    for (Scene scene : heldOut) {
      pixels.add(preprocessor.pixelValues(decoder.convert(SceneRenderer.render(scene), "held-out scene")));
      targets.add(VisionWarmup.labels(scene, false));
      if (isSingleLargeObject(scene)) {
        singlePixels.add(pixels.get(pixels.size() - 1));
        singleTargets.add(targets.get(targets.size() - 1));
      }
    }
    // ObjectNodes keep insertion order, so equal scores give equal bytes (Map.of's order changes from one JVM to the next)
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode json = mapper.createObjectNode().put("held_out_scenes", HELD_OUT);
    warmup.evaluate(pixels, targets).forEach((group, score) ->
        json.putObject(group).put("auc", score.auc()).put("f1", score.f1()).put("labels", score.labels()));
    // the same groups on the held-out scenes of one large object, where shape is easiest to see
    ObjectNode single = json.putObject("one_large_object").put("scenes", singlePixels.size());
    if (!singlePixels.isEmpty()) {
      warmup.evaluate(singlePixels, singleTargets).forEach((group, score) -> single.putObject(group).put("auc", score.auc()).put("labels", score.labels()));
    }
    Checkpoints.writeAtomically(file, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
  }

  /**
   * Scenes {@code from} to {@code from + n} of the warm-up's labelled image set: the world's generator
   * under another seed, so they are none of the world's images (rendered when loaded, never written).
   */
  static List<Scene> warmupScenes(ShapesConfig world, int from, int n) {
    ShapesGenerator generator = new ShapesGenerator(world.withSeed(world.seed() ^ WARMUP_SEED));
    List<Scene> scenes = new ArrayList<>(n);
    for (int i = from; i < from + n; i++) {
      scenes.add(generator.scene(0, i, 0));
    }
    return scenes;
  }

  /**
   * The vision warm-up stage ({@link VisionWarmup}) in its directory (default {@code <out>/vision-warmup/}): trained with
   * its own checkpoints (an interrupted warm-up resumes; a finished one is reused, not repeated), then
   * its ViT is copied into {@code model}.
   */
  static void warmUpVision(PretrainConfig config, Path out, BlipPretrainModel model, BadSampleListener bad, TrainingListener listener,
      ShapesProgressListener shapesProgress) throws IOException {
    // pre-trainings running at once share one warm-up directory (blip reproduce): one at a time restores or trains it
    Object lock = WARMUP_LOCKS.computeIfAbsent(out.resolve(config.visionWarmup().dir()).toAbsolutePath().normalize(), k -> new Object());
    synchronized (lock) {
      warmUpVisionAlone(config, out, model, bad, listener, shapesProgress);
    }
  }

  private static void warmUpVisionAlone(PretrainConfig config, Path out, BlipPretrainModel model, BadSampleListener bad, TrainingListener listener,
      ShapesProgressListener shapesProgress) throws IOException {
    PretrainConfig.VisionWarmupConfig w = config.visionWarmup();
    Path shapesDir = ensureShapes(config.shapes(), out, shapesProgress);
    ShapesWorld world = ShapesWorld.open(shapesDir);
    List<Sample> samples = new ArrayList<>();
    Map<String, Scene> scenes = new HashMap<>();
    String what;
    if (w.images() > 0) {
      List<Scene> fresh = warmupScenes(world.config(), 0, w.images());
      for (int i = 0; i < fresh.size(); i++) {
        String key = "warm-up scene " + i;
        samples.add(new Sample(key, new ImageRef.Bytes(i + ".png", new byte[0], key), List.of(key), Map.of()));
        scenes.put(key, fresh.get(i));
      }
      what = w.images() + " fresh scenes";
    } else {
      Path images = shapesDir.resolve("images").toAbsolutePath().normalize();
      Map<String, Sample> distinct = new LinkedHashMap<>(); // one sample per image: the labels belong to the image
      try (SampleIterator it = SampleReaders.open(shapesDir.resolve(w.split() + ".json"), ReadOptions.of(shapesDir.resolve("images"), bad))) {
        it.forEachRemaining(s -> distinct.putIfAbsent(s.image().source(), s));
      }
      samples.addAll(distinct.values());
      for (Sample s : samples) {
        Path p = Path.of(s.image().source()).toAbsolutePath().normalize();
        scenes.put(s.image().source(), world.sceneOf(images.relativize(p).toString().replace('\\', '/')));
      }
      what = samples.size() + " " + w.split() + " images";
    }
    Path dir = out.resolve(w.dir()).normalize();
    try (NDManager root = NDManager.newBaseManager();
        // one tower per libtorch thread; each tower's ops then run on one thread (see warmupStage)
        VisionWarmup objective = new VisionWarmup(model.config().vision(), config.seed(), root, config.weightDecay(), config.maxGradNorm(),
            JniUtils.getNumThreads())) {
      List<Sample> all = samples;
      if (w.singleObjectSteps() > 0) {
        List<Sample> single = samples.stream().filter(s -> isSingleLargeObject(scenes.get(s.image().source()))).toList();
        // where shape is learnt first: at a constant rate after the warm-up, then the whole set picks up from there
        warmupStage(config, dir.resolve(SINGLE_OBJECT_DIR), single, scenes, w.singleObjectSteps(), "step", objective, bad, listener,
            "vision warm-up on one large object (" + single.size() + " of " + what + ")");
        all = withRepeats(samples, single, w.singleObjectShare());
      }
      warmupStage(config, dir, all, scenes, w.steps(), "cosine_steps", objective, bad, listener, "vision warm-up (" + what + ")");
      if (w.images() > 0) {
        scoreWarmup(objective, world.config(), w.images(), config.imageSize(), dir.resolve(HELD_OUT_FILE));
      }
      objective.copyInto(model);
    }
  }

  /** The warm-up's curriculum stage runs in this subdirectory of the warm-up directory. */
  static final String SINGLE_OBJECT_DIR = "single-object";

  /** Whether a scene holds one object, a large one: where a ViT trained from scratch first tells shapes apart. */
  static boolean isSingleLargeObject(Scene scene) {
    return scene.objects().size() == 1 && scene.objects().get(0).size() == Vocabulary.Size.LARGE;
  }

  /**
   * {@code samples} followed by whole copies of {@code repeated} (keys marked with the copy number,
   * same image) making up about {@code share} of the list — a batch then draws that share from
   * {@code repeated} on top of its natural part of {@code samples}.
   */
  static List<Sample> withRepeats(List<Sample> samples, List<Sample> repeated, double share) {
    if (repeated.isEmpty() || share == 0) {
      return samples;
    }
    long copies = Math.round(share / (1 - share) * samples.size() / repeated.size());
    List<Sample> out = new ArrayList<>(samples);
    for (long c = 1; c <= copies; c++) {
      for (Sample s : repeated) {
        out.add(new Sample(s.key() + " (again " + c + ")", s.image(), s.captions(), s.meta()));
      }
    }
    return out;
  }

  /**
   * One stage of the warm-up: {@code steps} steps of {@code objective} over {@code samples} (cropped
   * and flipped, labels mirrored with the flip) under the {@code kind} schedule (10 % linear warm-up;
   * {@code step} with rate 1 is constant after it, {@code cosine_steps} anneals to 1e-6 by the last step),
   * checkpointed in {@code dir}; a finished stage restores its last checkpoint and takes no step.
   */
  private static void warmupStage(PretrainConfig config, Path dir, List<Sample> samples, Map<String, Scene> scenes, int steps, String kind,
      VisionWarmup objective, BadSampleListener bad, TrainingListener listener, String what) throws IOException {
    PretrainConfig.VisionWarmupConfig w = config.visionWarmup();
    int perEpoch = samples.size() / w.batchSize();
    if (perEpoch == 0) {
      throw new IllegalArgumentException("vision_warmup: " + what + " has fewer images than one batch of " + w.batchSize());
    }
    int epochs = (int) Math.ceil(steps / (double) perEpoch);
    TrainTransform transform = new TrainTransform(config.imageSize(), w.minCropScale(), FlipPolicy.SWAP, new RandAugment(0, 0, RandAugment.BLIP_OPS, false));
    ImageDecoder decoder = new ImageDecoder();
    LearningRate schedule = new LearningRate(kind, w.lr(), 1e-6f, 1e-6f, Math.max(1, steps / 10), 1f, epochs, steps);
    Trainer trainer = new Trainer(new Trainer.Options(dir, epochs, steps, schedule, config.seed(), config.logEvery(),
        config.checkpointEvery(), 1, what));
    if (listener != null) {
      trainer.listener(listener);
    }
    try (DataLoader<VisionWarmup.Item> loader = DataLoader.<VisionWarmup.Item>builder(samples, (s, rng) -> {
      Scene scene = scenes.get(s.image().source());
      RgbImage image = w.images() > 0 ? decoder.convert(SceneRenderer.render(scene), s.key()) : s.image().decode(decoder);
      HorizontalFlip.Result r = transform.augmentImage(image, "", rng);
      return new VisionWarmup.Item(transform.normalize(r.image()), VisionWarmup.labels(scene, r.flipped()));
    }).batchSize(w.batchSize()).seed(config.seed()).shuffle(true).dropLast(true).threads(config.loaderThreads()).epochs(epochs).listener(bad).build()) {
      // the objective's towers share the cores, each with one libtorch thread: on this tiny ViT, intra-op
      // threads cost more than they gain (2 cores, midi: 385 samples/s with 1 thread, 301 with 2)
      int threads = JniUtils.getNumThreads();
      JniUtils.setNumThreads(1);
      try {
        trainer.run(loader, objective, true);
      } finally {
        JniUtils.setNumThreads(threads);
      }
    }
  }

  /** Reads every dataset of the config (generating the Shapes world first when one is named). */
  public static List<Sample> samples(PretrainConfig config, Path configDir, Path out, BadSampleListener bad, ShapesProgressListener shapesProgress)
      throws IOException {
    List<Sample> all = new ArrayList<>();
    Path shapesDir = null;
    for (PretrainConfig.Dataset d : config.datasets()) {
      Path file;
      Path root;
      if (d.shapes() != null) {
        if (shapesDir == null) {
          shapesDir = ensureShapes(config.shapes(), out, shapesProgress);
        }
        file = shapesDir.resolve(d.shapes() + ".json");
        root = shapesDir.resolve("images");
      } else {
        file = configDir.resolve(d.path());
        root = d.imageRoot() == null ? file.toAbsolutePath().getParent() : configDir.resolve(d.imageRoot());
      }
      try (SampleIterator it = SampleReaders.open(file, ReadOptions.of(root, bad))) {
        it.forEachRemaining(all::add);
      }
    }
    if (all.isEmpty()) {
      throw new IllegalArgumentException("the configured datasets hold no usable sample");
    }
    return all;
  }

  /** The Shapes world of the config: reused when complete, otherwise generated (atomically) under the run directory. */
  public static Path ensureShapes(PretrainConfig.Shapes s, Path out, ShapesProgressListener progress) throws IOException {
    Path dir = out.resolve(s.dir() == null ? "shapes" : s.dir());
    if (Files.isRegularFile(dir.resolve("summary.json"))) {
      return dir;
    }
    Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
    Checkpoints.deleteTree(tmp);
    ShapesConfig sc = new ShapesConfig(s.scale() == 0 ? 0.05 : s.scale(), s.noise(), s.imageSize() == 0 ? 96 : s.imageSize(), s.seed(),
        Runtime.getRuntime().availableProcessors());
    new ShapesGenerator(sc).generate(tmp, progress);
    Checkpoints.deleteTree(dir);
    Files.move(tmp, dir);
    return dir;
  }

  /** Runs (or, with {@code resume}, continues) the pre-training described by {@code config}; returns the steps finished. */
  public static long run(PretrainConfig config, Path configDir, Path out, boolean resume, BadSampleListener bad, TrainingListener listener,
      ShapesProgressListener shapesProgress) throws IOException {
    Files.createDirectories(out);
    List<Sample> samples = samples(config, configDir, out, bad, shapesProgress);
    long seed = config.seed();
    try (NDManager root = NDManager.newBaseManager(); DataLoader<TrainTransform.Output> loader = loader(config, samples, bad)) {
      BlipPretrainModel model = model(config, root);
      if (config.visionWarmup() != null) {
        warmUpVision(config, out, model, bad, listener, shapesProgress);
      }
      BertTokenizer tokenizer = BertTokenizer.bertBaseUncased();
      Pattern freeze = config.freezePattern();
      Pretraining.Options opts = new Pretraining.Options(config.weightDecay(), config.momentum(), config.maxGradNorm(), config.alpha(),
          config.alphaRampEpochs(), config.maxTextLength(), freeze, null, config.dropout(), config.itmMining());
      try (model; Pretraining objective = new Pretraining(model, root, opts, tokenizer)) {
        objective.dropPath(model.vision(), config.dropPathOr(0f));
        Trainer trainer = new Trainer(new Trainer.Options(out, config.epochs(), config.maxSteps(), config.schedule(), seed, config.logEvery(),
            config.checkpointEvery(), config.keepLast(), "BLIP pre-training (" + config.model() + ", " + samples.size() + " pairs)"));
        if (listener != null) {
          trainer.listener(listener);
        }
        long steps = trainer.run(loader, objective, resume);
        ModelDirectory.save(model, out.resolve("model"));
        return steps;
      }
    }
  }

  /**
   * The training loader of a config: BLIP's training transform (RandomResizedCrop, flip with the
   * caption's left/right swapped, RandAugment) over {@code samples}, shuffled per epoch, full batches.
   */
  public static DataLoader<TrainTransform.Output> loader(PretrainConfig config, List<Sample> samples, BadSampleListener bad) {
    return loader(config, samples, bad, (sample, out) -> out);
  }

  /** As {@link #loader(PretrainConfig, List, BadSampleListener)}, each transformed sample passed through {@code wrap}. */
  public static <T> DataLoader<T> loader(PretrainConfig config, List<Sample> samples, BadSampleListener bad,
      java.util.function.BiFunction<Sample, TrainTransform.Output, T> wrap) {
    return loader(config, samples, bad, Sample::caption, wrap);
  }

  /**
   * As {@link #loader(PretrainConfig, List, BadSampleListener, java.util.function.BiFunction)}, with
   * {@code text} choosing what the transform keeps true under a flip (left/right swapped): the caption,
   * or e.g. a VQA question together with its answers.
   */
  public static <T> DataLoader<T> loader(PretrainConfig config, List<Sample> samples, BadSampleListener bad,
      java.util.function.Function<Sample, String> text, java.util.function.BiFunction<Sample, TrainTransform.Output, T> wrap) {
    TrainTransform transform = transform(config);
    ImageDecoder decoder = new ImageDecoder();
    return build(config, samples, bad, (sample, rng) -> wrap.apply(sample, transform.apply(sample.image().decode(decoder), text.apply(sample), rng)));
  }

  /** The training loader of an NLVR config: each pair through {@link NlvrPairTransform} (both images, in order, each with the config's training transform). */
  public static DataLoader<NlvrPairTransform.Output> nlvrLoader(PretrainConfig config, List<Sample> samples, BadSampleListener bad) {
    NlvrPairTransform pairs = new NlvrPairTransform(transform(config), new ImageDecoder());
    return build(config, samples, bad, pairs::apply);
  }

  /** BLIP's training transform with the config's size, crop scale and RandAugment switch. */
  static TrainTransform transform(PretrainConfig config) {
    RandAugment augment = config.randAugment() ? RandAugment.blip() : new RandAugment(0, 0, RandAugment.BLIP_OPS, false);
    return new TrainTransform(config.imageSize(), config.minCropScale(), FlipPolicy.SWAP, augment);
  }

  private static <T> DataLoader<T> build(PretrainConfig config, List<Sample> samples, BadSampleListener bad, SampleTransform<T> transform) {
    DataLoader<T> loader = DataLoader.<T>builder(samples, transform)
        .batchSize(config.batchSize()).seed(config.seed()).shuffle(true).dropLast(true).threads(config.loaderThreads())
        .epochs(config.epochs()).listener(bad).build();
    if (loader.batchesPerEpoch() == 0) {
      loader.close();
      throw new IllegalArgumentException(samples.size() + " samples make no full batch of " + config.batchSize());
    }
    return loader;
  }

  private static BlipPretrainModel model(PretrainConfig config, NDManager root) throws IOException {
    if (config.init() == null) {
      BlipConfig named = modelConfig(config.model(), config.imageSize());
      BlipConfig fresh = config.patchSize() == null ? named : named.withPatchSize(config.patchSize());
      return randomModel(fresh, config.queueSize(), config.seed(), config.textInitStd(), root);
    }
    BlipPretrainedModel loaded = ModelDirectory.load(Path.of(config.init()), root);
    if (!(loaded instanceof BlipPretrainModel p)) {
      String arch = loaded.architecture();
      loaded.close();
      throw new IllegalArgumentException("init " + config.init() + " is a " + arch + ", pre-training needs a BlipForPretraining checkpoint");
    }
    return p;
  }
}
