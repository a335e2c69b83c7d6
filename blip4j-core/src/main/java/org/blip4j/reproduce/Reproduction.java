package org.blip4j.reproduce;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.blip4j.Blip4j;
import org.blip4j.capfilt.CapFilt;
import org.blip4j.capfilt.CapFiltConfig;
import org.blip4j.capfilt.CaptionFilter;
import org.blip4j.capfilt.ShapesOracle;
import org.blip4j.capfilt.ShardResult;
import org.blip4j.capfilt.SyntheticCaptioner;
import org.blip4j.data.BadSampleCounter;
import org.blip4j.eval.CaptionEvaluation;
import org.blip4j.eval.RetrievalEvaluation;
import org.blip4j.generate.GenerationConfig;
import org.blip4j.task.Captioner;
import org.blip4j.task.ImageTextMatcher;
import org.blip4j.train.Checkpoints;
import org.blip4j.train.FinetuneJob;
import org.blip4j.train.PretrainConfig;
import org.blip4j.train.PretrainJob;

/**
 * {@code blip reproduce}: the BLIP paper's CapFilt experiment end to end on the Shapes world, as a
 * staged, resumable pipeline under one output directory.
 *
 * <ol>
 *   <li>{@code shapes/}: the world (noise 0.4, seed 0, the profile's scale).
 *   <li>{@code pretrain-noboot/}: pre-training on human_train + web_train (noisy web data, no bootstrapping).
 *   <li>{@code captioner/} (caption fine-tuning on human_train) and {@code filter/} (retrieval
 *       fine-tuning on human_train), both from noboot. They are also noboot's downstream models.
 *   <li>{@code capfilt-nucleus/} (and {@code capfilt-beam/}): CapFilt on web_train, human_train passed through.
 *   <li>{@code data/}: F = human + kept web; C = human + all web + all synthetic; CF = human + kept web +
 *       kept synthetic; CF-beam from the beam run. BLIP annotation lists, images relative to {@code shapes/images}.
 *   <li>{@code pretrain-F/}, {@code pretrain-C/}, {@code pretrain-CF/}, {@code pretrain-CF-beam/}: a new
 *       model of the same size, the same number of steps as noboot.
 *   <li>per model: {@code retrieval-X/}, {@code caption-X/} fine-tunes, then {@code eval/X.json}:
 *       retrieval on test (fine-tuned) and zs_test (zero-shot transfer of the same model), captioning on test.
 *   <li>{@code report.md}/{@code report.html} ({@link ReproductionReport}).
 * </ol>
 *
 * <p>Every stage ends by writing its marker ({@code result.json}, atomically) and is skipped when the
 * marker exists; an interrupted training resumes from its newest checkpoint, CapFilt from its finished
 * shards. The report is rebuilt on every run. Per-stage configs are written to {@code configs/} so a
 * stage can be rerun by hand with {@code blip pretrain} / {@code blip finetune}. Models are copied in
 * HF layout to {@code models/<name>/}. Stages that do not depend on each other (the captioner and the
 * filter; the two CapFilt runs; the bootstrapped pre-trainings; their fine-tunes; the evaluations) run at
 * once, each on one libtorch thread ({@link #Reproduction(ReproductionProfile, Path, ReproductionListener, int)}).
 */
public final class Reproduction {
  /** The rows of the Table-1 analog, in order. */
  public static final List<String> TABLE1 = List.of("noboot", "F", "C", "CF");
  private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper CONFIG_JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL).enable(SerializationFeature.INDENT_OUTPUT);

  private final ReproductionProfile profile;
  private final Path out;
  private final ReproductionListener listener;
  private final int workers;

  /** A pipeline of {@code profile} into {@code out}; independent stages run at once, as many as libtorch has threads. */
  public Reproduction(ReproductionProfile profile, Path out, ReproductionListener listener) {
    this(profile, out, listener, engineThreads());
  }

  /** libtorch's intra-op threads, the engine started first (a JNI call before it fails with an UnsatisfiedLinkError). */
  private static int engineThreads() {
    Blip4j.init();
    return JniUtils.getNumThreads();
  }

  /**
   * A pipeline whose independent stages run at most {@code workers} at once. The results do not depend
   * on it: every stage of such a group trains and evaluates on one libtorch thread.
   */
  public Reproduction(ReproductionProfile profile, Path out, ReproductionListener listener, int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    }
    this.profile = Objects.requireNonNull(profile, "profile");
    this.out = out.toAbsolutePath().normalize();
    this.listener = ReproductionListener.synchronizedOn(this, listener == null ? ReproductionListener.NONE : listener);
    this.workers = workers;
  }

  /** The models compared: noboot, F, C, CF and, with the profile's beam row, CF-beam. */
  public List<String> rows() {
    List<String> r = new ArrayList<>(TABLE1);
    if (profile.beamRow()) {
      r.add("CF-beam");
    }
    return r;
  }

  /** Runs (or resumes) every stage, then writes the report; returns it. */
  public ReproductionReport run() throws IOException {
    Files.createDirectories(out);
    writeProfile();
    stage("shapes", "generate the Shapes world (scale " + profile.shapesScale() + ", noise 0.4, seed 0)", out.resolve("shapes/summary.json"),
        this::shapes);
    pretrain("noboot", List.of(shapes("human_train.json"), shapes("web_train.json")));
    together(List.of(() -> finetune("filter", "retrieval", "noboot", List.of("filter", "retrieval-noboot")),
        () -> finetune("captioner", "caption", "noboot", List.of("captioner", "caption-noboot"))));
    List<Body> capfilts = new ArrayList<>(List.of(() -> capfilt(CapFiltConfig.Method.NUCLEUS)));
    if (profile.beamRow()) {
      capfilts.add(() -> capfilt(CapFiltConfig.Method.BEAM));
    }
    together(capfilts);
    stage("datasets", "derive the F, C, CF" + (profile.beamRow() ? ", CF-beam" : "") + " datasets from the CapFilt shards",
        out.resolve("data/result.json"), this::datasets);
    List<String> bootstrapped = rows().stream().filter(m -> !m.equals("noboot")).toList();
    together(bootstrapped.stream().<Body>map(m -> () -> pretrain(m, List.of(out.resolve("data").resolve(m + ".json")))).toList());
    // the longer retrieval fine-tunes first, so that the workers finish together
    List<Body> finetunes = new ArrayList<>();
    for (String m : bootstrapped) {
      finetunes.add(() -> finetune("retrieval-" + m, "retrieval", m, List.of("retrieval-" + m.toLowerCase(Locale.ROOT))));
    }
    for (String m : bootstrapped) {
      finetunes.add(() -> finetune("caption-" + m, "caption", m, List.of("caption-" + m.toLowerCase(Locale.ROOT))));
    }
    together(finetunes);
    together(rows().stream().<Body>map(m -> () -> stage("eval-" + m, "evaluate " + m + ": retrieval on test and zs_test, captioning on test",
        out.resolve("eval").resolve(m + ".json"), () -> evaluate(m))).toList());
    listener.stageStarted("report", "write report.md, report.html and figure4.png");
    long t0 = System.nanoTime();
    ReproductionReport report = ReproductionReport.write(out, profile, rows());
    listener.stageFinished("report", (System.nanoTime() - t0) / 1e9);
    return report;
  }

  /** The output directory. */
  public Path out() {
    return out;
  }

  @FunctionalInterface
  private interface Body {
    void run() throws IOException;
  }

  /**
   * Runs stages that do not depend on each other at once, in order, one per worker ({@link #workers}),
   * each with libtorch on ONE thread: two small models training side by side on two cores get 1.5–1.6×
   * the throughput of one after the other with libtorch's two threads (text-side steps of this size gain
   * 1.12× from the second thread; measured on the full profile). Every stage of a group runs on one libtorch thread whatever the worker count, so
   * its numbers do not depend on the machine's cores or on which stage ran beside it. Waits for every
   * stage; the first failure is thrown with the later ones suppressed on it (finished stages keep their
   * markers, so a rerun resumes).
   */
  private void together(List<Body> bodies) throws IOException {
    if (bodies.isEmpty()) {
      return;
    }
    int threads = JniUtils.getNumThreads();
    JniUtils.setNumThreads(1);
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(workers, bodies.size()), r -> {
      Thread t = new Thread(r, "blip4j-stage");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> running = new ArrayList<>();
      for (Body b : bodies) {
        running.add(pool.submit(() -> {
          JniUtils.setGradMode(false); // as on the main thread (DJL's engine turns it off there; libtorch starts a thread with it on)
          b.run();
          return null;
        }));
      }
      Throwable first = null;
      for (Future<?> f : running) {
        try {
          f.get();
        } catch (ExecutionException e) {
          if (first == null) {
            first = e.getCause();
          } else {
            first.addSuppressed(e.getCause());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while stages ran");
        }
      }
      if (first instanceof IOException io) {
        throw io;
      }
      if (first instanceof RuntimeException re) {
        throw re;
      }
      if (first instanceof Error err) {
        throw err;
      }
    } finally {
      pool.shutdownNow();
      JniUtils.setNumThreads(threads);
    }
  }

  private void stage(String name, String description, Path marker, Body body) throws IOException {
    if (Files.isRegularFile(marker)) {
      listener.stageSkipped(name);
      return;
    }
    listener.stageStarted(name, description);
    long t0 = System.nanoTime();
    body.run();
    if (!Files.isRegularFile(marker)) {
      throw new IllegalStateException("stage " + name + " finished without writing its marker " + marker);
    }
    listener.stageFinished(name, (System.nanoTime() - t0) / 1e9);
  }

  /** Writes {@code profile.json}; a directory made with another profile is refused (its finished stages would not match). */
  private void writeProfile() throws IOException {
    Path f = out.resolve("profile.json");
    String text = profileJson(profile);
    if (Files.isRegularFile(f) && !Files.readString(f).equals(text)) {
      ReproductionProfile old = readProfile(out);
      throw new IllegalArgumentException(out + " holds a reproduction with other settings (" + f + ": profile '" + old.name() + "', seed "
          + old.seed() + "; this run: '" + profile.name() + "', seed " + profile.seed() + "); use another output directory");
    }
    writeAtomically(f, text);
  }

  /** The text of a run directory's {@code profile.json}. */
  public static String profileJson(ReproductionProfile profile) throws IOException {
    return CONFIG_JSON.writeValueAsString(profile) + "\n";
  }

  /** The profile a run directory was made with ({@code profile.json}). */
  static ReproductionProfile readProfile(Path runDir) throws IOException {
    return CONFIG_JSON.readValue(runDir.resolve("profile.json").toFile(), ReproductionProfile.class);
  }

  private Path shapes(String file) {
    return out.resolve("shapes").resolve(file);
  }

  private void shapes() throws IOException {
    PretrainJob.ensureShapes(world("shapes"), out, listener.shapes());
  }

  /** The reproduction's Shapes world (noise 0.4, seed 0) as a config section, at {@code dir} relative to a run directory. */
  private PretrainConfig.Shapes world(String dir) {
    return new PretrainConfig.Shapes(dir, profile.shapesScale(), 0.4, profile.shapesImageSize(), 0);
  }

  /** Records of a JSON annotation list (its array length). */
  private static int records(Path file) throws IOException {
    return PRETTY.readTree(file.toFile()).size();
  }

  private PretrainConfig.Dataset dataset(Path file) {
    Path configs = out.resolve("configs");
    return new PretrainConfig.Dataset(rel(configs, file), rel(configs, out.resolve("shapes/images")), null);
  }

  private static String rel(Path from, Path to) {
    return from.relativize(to).toString().replace('\\', '/');
  }

  /** Epochs so that {@code steps} full batches fit (the run stops at max_steps). */
  private int epochs(List<Path> files, long steps) throws IOException {
    long n = 0;
    for (Path f : files) {
      n += records(f);
    }
    long perEpoch = n / profile.batchSize();
    if (perEpoch == 0) {
      throw new IllegalStateException(files + " hold " + n + " records: no full batch of " + profile.batchSize());
    }
    return Math.toIntExact((steps + perEpoch - 1) / perEpoch);
  }

  private void pretrain(String m, List<Path> data) throws IOException {
    String name = "pretrain-" + m;
    Path dir = out.resolve(name);
    stage(name, "pre-train a new " + profile.model() + " model on " + m + " for " + profile.pretrainSteps() + " steps", dir.resolve("result.json"), () -> {
      // every pre-training shares one vision warm-up (../vision-warmup) in the reproduction's world (../shapes)
      boolean warm = profile.visionWarmupSteps() > 0;
      PretrainConfig.Shapes world = warm ? world("../shapes") : null;
      PretrainConfig.VisionWarmupConfig warmup = warm
          ? new PretrainConfig.VisionWarmupConfig(null, profile.visionWarmupSteps(), profile.visionWarmupLr(), 2 * profile.batchSize(), 0.8,
          "../vision-warmup", profile.visionWarmupImages(), profile.visionWarmupSingleObjectSteps(), null) : null;
      PretrainConfig c = new PretrainConfig(profile.model(), null, profile.imageSize(), profile.patchSize(), data.stream().map(this::dataset).toList(), world,
          profile.batchSize(), epochs(data, profile.pretrainSteps()), profile.pretrainSteps(),
          new PretrainConfig.Lr("step", profile.pretrainLr(), 1e-6f, 1e-6f, profile.warmupSteps(), 1.0f), 0.05f, 5.0f, profile.queueSize(), 0.995f,
          0.4f, 0, 30, 0.5, true, 0.1f, null, frozen(), profile.seed(), profile.loaderThreads(), 10, profile.checkpointEvery(), 1, warmup, profile.textInitStd(), null, null);
      Path configFile = writeConfig(name, c);
      BadSampleCounter bad = new BadSampleCounter();
      long steps = PretrainJob.run(c, configFile.getParent(), dir, true, bad, listener.training(name), null);
      copyModel(dir.resolve("model"), List.of(name));
      marker(dir, steps, bad, configFile);
    });
  }

  private void finetune(String name, String task, String from, List<String> modelNames) throws IOException {
    Path dir = out.resolve(name);
    boolean retrieval = task.equals("retrieval");
    long steps = retrieval ? profile.retrievalSteps() : profile.finetuneSteps();
    float lr = retrieval ? profile.retrievalLr() : profile.finetuneLr();
    stage(name, task + " fine-tuning of " + from + " on human_train for " + steps + " steps", dir.resolve("result.json"), () -> {
      List<Path> data = List.of(shapes("human_train.json"));
      PretrainConfig c = new PretrainConfig(profile.model(), rel(out.resolve("configs"), out.resolve("pretrain-" + from).resolve("model")),
          profile.imageSize(), null, data.stream().map(this::dataset).toList(), null, profile.batchSize(), epochs(data, steps),
          steps, new PretrainConfig.Lr("cosine", lr, 0f, 1e-6f, 0, 1.0f), 0.05f, 5.0f, profile.queueSize(), 0.995f,
          0.4f, 0, 30, 0.5, true, 0.1f, null, frozen(), profile.seed(), profile.loaderThreads(), 10, profile.checkpointEvery(), 1, null, null,
          retrieval ? profile.itmNegatives() : null, retrieval);
      Path configFile = writeConfig(name, c);
      BadSampleCounter bad = new BadSampleCounter();
      long done = FinetuneJob.run(task, c, configFile.getParent(), dir, true, bad, listener.training(name), null);
      copyModel(dir.resolve("model"), modelNames);
      marker(dir, done, bad, configFile);
    });
  }

  /** The {@code freeze} list of every pre-training and fine-tune (null: all trained). */
  private List<String> frozen() {
    return profile.visionFrozen() ? ReproductionProfile.VISION_FROZEN : null;
  }

  private Path writeConfig(String name, PretrainConfig c) throws IOException {
    Path f = out.resolve("configs").resolve(name + ".json");
    Files.createDirectories(f.getParent());
    writeAtomically(f, CONFIG_JSON.writeValueAsString(c));
    return f;
  }

  private void marker(Path dir, long steps, BadSampleCounter bad, Path config) throws IOException {
    ObjectNode o = PRETTY.createObjectNode();
    o.put("steps", steps).put("config", rel(out, config)).put("model", rel(out, dir.resolve("model"))).put("bad_samples", bad.total());
    writeAtomically(dir.resolve("result.json"), PRETTY.writeValueAsString(o));
  }

  /** Copies a run's model directory to {@code models/<name>/} for each name (atomically per name). */
  private void copyModel(Path model, List<String> names) throws IOException {
    for (String n : names) {
      Path target = out.resolve("models").resolve(n);
      Path tmp = out.resolve("models").resolve(n + ".tmp");
      Checkpoints.deleteTree(tmp);
      Files.createDirectories(tmp);
      try (Stream<Path> files = Files.list(model)) {
        for (Path f : files.toList()) {
          Files.copy(f, tmp.resolve(f.getFileName()));
        }
      }
      Checkpoints.deleteTree(target);
      Files.move(tmp, target);
    }
  }

  private void capfilt(CapFiltConfig.Method method) throws IOException {
    String name = "capfilt-" + method.label();
    Path dir = out.resolve(name);
    stage(name, "CapFilt (" + method.label() + ") on web_train with the captioner and the filter", dir.resolve("result.json"), () -> {
      CapFiltConfig config = new CapFiltConfig(method, 1, 0.9f, 3, profile.capfiltThreshold(), 0, profile.capfiltShard(), profile.capfiltBatch(), 30, 5,
          Captioner.DEFAULT_PROMPT);
      Path web = shapes("web_train.json");
      CapFilt.Inputs in = new CapFilt.Inputs(web, out.resolve("shapes/images"), shapes("human_train.json"), null);
      Map<String, String> models = Map.of("captioner", "models/captioner", "filter", "models/filter");
      try (Captioner cap = Captioner.load(out.resolve("models/captioner")); ImageTextMatcher itm = ImageTextMatcher.load(out.resolve("models/filter"))) {
        CapFilt job = new CapFilt(SyntheticCaptioner.of(cap, config.captionerOptions()), CaptionFilter.of(itm), config);
        CapFilt.Result r = job.run(in, models, dir, new CapFilt.Options(listener.capfilt(name), ShapesOracle.beside(web).orElse(null), 0));
        if (!r.complete()) {
          throw new IllegalStateException(name + " did not complete");
        }
        ObjectNode o = PRETTY.createObjectNode();
        o.put("method", method.label()).put("samples", r.samples()).put("shards", r.shards()).put("resumed_shards", r.resumedShards());
        writeAtomically(dir.resolve("result.json"), PRETTY.writeValueAsString(o));
      }
    });
  }

  /** The scored web samples of a CapFilt run, in input order. */
  static List<ShardResult.ScoredSample> scored(Path capfiltDir) throws IOException {
    List<ShardResult.ScoredSample> all = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(capfiltDir.resolve("shards"))) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    }
    for (Path f : files) {
      all.addAll(ShardResult.fromJson(PRETTY.readTree(f.toFile()), f.toString()).samples());
    }
    return all;
  }

  private void datasets() throws IOException {
    Path dir = out.resolve("data");
    Files.createDirectories(dir);
    ArrayNode human = PRETTY.createArrayNode();
    for (JsonNode r : PRETTY.readTree(shapes("human_train.json").toFile())) {
      human.addObject().put("image", r.path("image").asText()).put("caption", r.path("caption").asText()).put("source", "human");
    }
    Map<String, Integer> sizes = new LinkedHashMap<>();
    List<ShardResult.ScoredSample> nucleus = scored(out.resolve("capfilt-nucleus"));
    sizes.put("F", writeDataset(dir.resolve("F.json"), human, nucleus, true, false));
    sizes.put("C", writeDataset(dir.resolve("C.json"), human, nucleus, false, true));
    sizes.put("CF", writeDataset(dir.resolve("CF.json"), human, nucleus, true, true));
    if (profile.beamRow()) {
      sizes.put("CF-beam", writeDataset(dir.resolve("CF-beam.json"), human, scored(out.resolve("capfilt-beam")), true, true));
    }
    ObjectNode o = PRETTY.createObjectNode();
    o.put("human", human.size());
    sizes.forEach(o::put);
    writeAtomically(dir.resolve("result.json"), PRETTY.writeValueAsString(o));
  }

  /**
   * Writes human + web (+ synthetic) records. {@code filter}: only captions the filter kept;
   * {@code synthetic}: include synthetic captions (without it, web only). Returns the record count.
   */
  private static int writeDataset(Path file, ArrayNode human, List<ShardResult.ScoredSample> scored, boolean filter, boolean synthetic)
      throws IOException {
    ArrayNode all = human.deepCopy();
    for (ShardResult.Source source : List.of(ShardResult.Source.WEB, ShardResult.Source.SYNTHETIC)) {
      if (source == ShardResult.Source.SYNTHETIC && !synthetic) {
        continue;
      }
      for (ShardResult.ScoredSample s : scored) {
        for (ShardResult.Candidate c : s.candidates()) {
          if (c.source() == source && (!filter || c.kept())) {
            all.addObject().put("image", s.image()).put("caption", c.caption()).put("source", source.label());
          }
        }
      }
    }
    writeAtomically(file, PRETTY.writeValueAsString(all));
    return all.size();
  }

  private void evaluate(String m) throws IOException {
    String key = m.toLowerCase(Locale.ROOT);
    String name = "eval-" + m;
    Path images = out.resolve("shapes/images");
    ObjectNode o = PRETTY.createObjectNode();
    o.put("model", m);
    RetrievalEvaluation.Options ro = new RetrievalEvaluation.Options(profile.kTest(), 64, ImageTextMatcher.FirstToken.ENC);
    Optional<ShapesOracle> oracle = ShapesOracle.beside(shapes("summary.json"));
    try (ImageTextMatcher itm = ImageTextMatcher.load(out.resolve("models/retrieval-" + key))) {
      for (String split : List.of("test", "zs_test")) {
        RetrievalEvaluation.Result r = RetrievalEvaluation.evaluate(itm, evalSplit(split), images, ro, listener.eval(name));
        ObjectNode n = o.putObject("retrieval_" + split);
        n.put("images", r.n()).put("texts", r.texts().size());
        n.set("metrics", PRETTY.valueToTree(r.metrics()));
        n.set("metrics_itc", PRETTY.valueToTree(r.itcRecall().toMap()));
        oracle.flatMap(w -> WorldTruth.of(r, images, w)).ifPresent(t -> n.putObject("world_truth")
            .put("txt_true_r1", 100 * t.textTrueAt1()).put("img_true_r1", 100 * t.imageTrueAt1())
            .put("txt_r1_oracle", 100 * t.textOracleAt1()).put("img_r1_oracle", 100 * t.imageOracleAt1()));
      }
    }
    try (Captioner cap = Captioner.load(out.resolve("models/caption-" + key))) {
      Captioner.Options co = new Captioner.Options(GenerationConfig.beam(profile.captionBeams(), 20, 5), Captioner.DEFAULT_PROMPT, 8);
      CaptionEvaluation.Result r = CaptionEvaluation.evaluate(cap, evalSplit("test"), images, co, listener.eval(name));
      ObjectNode n = o.putObject("caption_test");
      n.put("images", r.n()).put("distinct_captions", r.images().stream().map(CaptionEvaluation.CaptionedImage::caption).distinct().count());
      n.set("metrics", PRETTY.valueToTree(r.metrics()));
      oracle.flatMap(w -> WorldTruth.captionsTrue(r, images, w)).ifPresent(t -> n.putObject("world_truth").put("captions_true", 100 * t));
      ArrayNode ex = n.putArray("examples");
      for (CaptionEvaluation.CaptionedImage ci : r.images().subList(0, Math.min(5, r.images().size()))) {
        ex.addObject().put("image", ci.image()).put("caption", ci.caption()).put("reference", ci.references().get(0));
      }
    }
    Files.createDirectories(out.resolve("eval"));
    writeAtomically(out.resolve("eval").resolve(m + ".json"), PRETTY.writeValueAsString(o));
  }

  /**
   * The evaluated part of a test split: {@code data/<split>-eval.json}, the split's first N images
   * (the profile's subset size; all when 0), written once.
   */
  private synchronized Path evalSplit(String split) throws IOException {
    Path f = out.resolve("data").resolve(split + "-eval.json");
    if (!Files.isRegularFile(f)) {
      JsonNode all = PRETTY.readTree(shapes(split + ".json").toFile());
      int n = split.equals("test") ? profile.testImages() : profile.zsImages();
      ArrayNode sub = PRETTY.createArrayNode();
      for (int i = 0; i < all.size() && (n <= 0 || i < n); i++) {
        sub.add(all.get(i));
      }
      writeAtomically(f, PRETTY.writeValueAsString(sub));
    }
    return f;
  }

  static void writeAtomically(Path file, String text) throws IOException {
    Checkpoints.writeAtomically(file, (text.endsWith("\n") ? text : text + "\n").getBytes(StandardCharsets.UTF_8));
  }
}
