package org.blip4j.capfilt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.blip4j.Blip4j;
import org.blip4j.capfilt.CapFiltConfig.Method;
import org.blip4j.capfilt.ShardResult.Candidate;
import org.blip4j.capfilt.ShardResult.ScoredSample;
import org.blip4j.checkpoint.TaskModels;
import org.blip4j.data.ReadOptions;
import org.blip4j.data.Sample;
import org.blip4j.data.SampleIterator;
import org.blip4j.data.SampleReaders;
import org.blip4j.data.ShardWriter;
import org.blip4j.eval.BinaryScores;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.ImagePreprocessor;
import org.blip4j.image.RgbImage;
import org.blip4j.model.BlipConfig;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.task.Captioner;
import org.blip4j.task.ImageInput;
import org.blip4j.task.ImageTextMatcher;
import org.blip4j.text.BertTokenizer;
import org.blip4j.train.PretrainJob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CapFilt with tiny random BLIP models on a hand-made web set of 12 records (one image file corrupt,
 * one missing, noise labels on every record) and a 2-record human set.
 */
class CapFiltTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int WEB = 12;
  static final List<String> KINDS = List.of("clean_web", "wrong_attr", "mismatch", "unrelated");
  @TempDir static Path dir;
  static NDManager root;
  static Captioner captioner;
  static ImageTextMatcher matcher;
  static CapFilt.Inputs inputs;
  static Path straight;
  static CapFilt.Result straightResult;

  static CapFiltConfig config() {
    return new CapFiltConfig(Method.NUCLEUS, 2, 0.9f, 3, 0.5, 11, 3, 2, 10, 3, Captioner.DEFAULT_PROMPT);
  }

  @BeforeAll
  static void setUp() throws Exception {
    Blip4j.inferenceThread();
    root = NDManager.newBaseManager();
    BlipConfig cfg = PretrainJob.modelConfig("tiny", 32);
    BlipPretrainModel pre = PretrainJob.randomModel(cfg, 8, 5, root);
    BertTokenizer tok = BertTokenizer.bertBaseUncased();
    captioner = Captioner.of(root, TaskModels.captioning(pre, root), tok, new ImagePreprocessor(32));
    matcher = ImageTextMatcher.of(root, TaskModels.retrieval(pre, root), tok, new ImagePreprocessor(32));

    Path images = dir.resolve("world/images");
    Files.createDirectories(images.resolve("web"));
    Random r = new Random(3);
    List<Map<String, Object>> web = new ArrayList<>();
    for (int i = 0; i < WEB; i++) {
      String name = String.format("web/%03d.png", i);
      if (i == 4) {
        Files.writeString(images.resolve(name), "this is not a png"); // decoded by CapFilt: NOT_AN_IMAGE
      } else if (i != 7) { // 7: missing file, skipped by the reader
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) {
          for (int x = 0; x < 40; x++) {
            img.setRGB(x, y, r.nextInt(1 << 24));
          }
        }
        ImageIO.write(img, "png", images.resolve(name).toFile());
      }
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put("image", name);
      rec.put("caption", "a red circle number " + i);
      rec.put("image_id", i);
      rec.put("noise", KINDS.get(i % 4));
      web.add(rec);
    }
    Path webJson = dir.resolve("world/web.json");
    JSON.writeValue(webJson.toFile(), web);
    Path humanJson = dir.resolve("world/human.json");
    JSON.writeValue(humanJson.toFile(), List.of(Map.of("image", "web/000.png", "caption", "a small red circle"),
        Map.of("image", "web/001.png", "caption", "a blue square")));
    inputs = new CapFilt.Inputs(webJson, images, humanJson, null);

    straight = dir.resolve("straight");
    straightResult = job(config()).run(inputs, models(), straight, CapFilt.Options.defaults());
  }

  @AfterAll
  static void tearDown() {
    root.close();
  }

  static Map<String, String> models() {
    return Map.of("captioner", "tiny-random-5", "filter", "tiny-random-5");
  }

  static CapFilt job(CapFiltConfig c) {
    return new CapFilt(SyntheticCaptioner.of(captioner, c.captionerOptions()), CaptionFilter.of(matcher), c);
  }

  static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  /** SHA-256 of every output file, by path relative to the run directory. */
  static Map<String, String> digests(Path out) throws Exception {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> files = Files.walk(out)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        m.put(out.relativize(f).toString(), sha256(f));
      }
    }
    return m;
  }

  static List<ScoredSample> scored(Path out) throws IOException {
    List<ScoredSample> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(out.resolve("shards"))) {
      for (Path f : files.filter(p -> p.getFileName().toString().matches("\\d{5}\\.json")).sorted().toList()) {
        all.addAll(ShardResult.fromJson(JSON.readTree(f.toFile()), f.toString()).samples());
      }
    }
    return all;
  }

  @Test
  void interruptedRunResumedIsByteIdenticalToAnUninterruptedRun() throws Exception {
    assertThat(straightResult.complete()).isTrue();
    assertThat(straightResult.shards()).isEqualTo(4); // 11 readable samples in shards of 3
    Path broken = dir.resolve("broken");
    // 1) a listener that throws after the second shard is written (a crash mid-run)
    CapFiltListener crash = new CapFiltListener() {
      @Override
      public void shardWritten(int shard, long samplesDone, int skipped) {
        if (shard == 1) {
          throw new IllegalStateException("simulated crash");
        }
      }
    };
    assertThatThrownBy(() -> job(config()).run(inputs, models(), broken, new CapFilt.Options(crash, null, 0))).hasMessage("simulated crash");
    assertThat(Files.exists(CapFilt.shardFile(broken, 1))).isTrue();
    assertThat(Files.exists(CapFilt.shardFile(broken, 2))).isFalse();
    assertThat(Files.exists(broken.resolve("bootstrapped.json"))).isFalse();
    // 2) a run stopped after one more shard
    CapFilt.Result part = job(config()).run(inputs, models(), broken, new CapFilt.Options(null, null, 1));
    assertThat(part.complete()).isFalse();
    assertThat(part.resumedShards()).isEqualTo(2);
    assertThat(part.writtenShards()).isEqualTo(1);
    // 3) resumed to the end; finished shards are not captioned again
    AtomicInteger captioned = new AtomicInteger();
    CapFiltConfig c = config();
    SyntheticCaptioner counting = (images, seeds) -> {
      captioned.addAndGet(images.size());
      return SyntheticCaptioner.of(captioner, c.captionerOptions()).caption(images, seeds);
    };
    CapFilt.Result done = new CapFilt(counting, CaptionFilter.of(matcher), c).run(inputs, models(), broken, CapFilt.Options.defaults());
    assertThat(done.complete()).isTrue();
    assertThat(done.resumedShards()).isEqualTo(3);
    assertThat(captioned.get()).as("images captioned by the resuming run (shard 3 only)").isEqualTo(2);

    Map<String, String> a = digests(straight);
    assertThat(a).containsKeys("capfilt.json", "bootstrapped.json", "report.json", "report.md", "shards/00000.json", "shards/00003.json").hasSize(8);
    Map<String, String> b = digests(broken);
    assertThat(b).isEqualTo(a);
  }

  @Test
  void sampledCaptionsDependOnlyOnSeedAndSampleIndexNotOnBatching() throws Exception {
    // a scored sample's synthetic captions equal those of its image captioned alone with seed (11, index)
    // (checked on the first and last two samples: the first and the last shard, batch positions 0 and 1)
    CapFiltConfig c = config();
    SyntheticCaptioner alone = SyntheticCaptioner.of(captioner, c.captionerOptions());
    List<ScoredSample> s = scored(straight);
    List<String> all = new ArrayList<>();
    s.forEach(x -> x.candidates().stream().filter(k -> k.source() == ShardResult.Source.SYNTHETIC).forEach(k -> all.add(k.caption())));
    assertThat(all.stream().distinct().count()).as("distinct samples").isGreaterThan(WEB);
    for (ScoredSample x : List.of(s.get(0), s.get(1), s.get(s.size() - 2), s.get(s.size() - 1))) {
      List<String> syn = x.candidates().stream().filter(k -> k.source() == ShardResult.Source.SYNTHETIC).map(Candidate::caption).toList();
      RgbImage img = new ImageDecoder().decode(inputs.imageRoot().resolve(x.image()));
      assertThat(alone.caption(List.of(img), new long[] {c.sampleSeed(x.index())}).get(0)).as("sample %d", x.index()).isEqualTo(syn);
    }
    // and a batch of three gives each image what it gets alone, in any order
    List<RgbImage> three = s.subList(0, 3).stream().map(x -> new ImageDecoder().decode(inputs.imageRoot().resolve(x.image()))).toList();
    long[] seeds = {c.sampleSeed(100), c.sampleSeed(101), c.sampleSeed(102)};
    List<List<String>> batch = alone.caption(three, seeds);
    List<List<String>> reversed = alone.caption(List.of(three.get(2), three.get(1), three.get(0)), new long[] {seeds[2], seeds[1], seeds[0]});
    assertThat(reversed).containsExactly(batch.get(2), batch.get(1), batch.get(0));
    assertThat(alone.caption(List.of(three.get(0)), new long[] {c.sampleSeed(101)}).get(0)).isNotEqualTo(batch.get(0));
  }

  @Test
  void keptIsExactlyTheCandidatesAtOrAboveTheThreshold() throws Exception {
    // a filter whose outputs are fixed: around the threshold by one ulp, and the ends
    float[] values = {Math.nextDown(0.5f), 0.5f, Math.nextUp(0.5f), 0f, 1f, 0.25f, 0.75f};
    AtomicInteger next = new AtomicInteger();
    CaptionFilter fixed = (images, captions) -> captions.stream().map(cs -> {
      float[] p = new float[cs.size()];
      for (int i = 0; i < p.length; i++) {
        p[i] = values[next.getAndIncrement() % values.length];
      }
      return p;
    }).toArray(float[][]::new);
    SyntheticCaptioner named = (images, seeds) -> java.util.Arrays.stream(seeds).mapToObj(s -> List.of("a synthetic " + (s & 7), "other " + (s & 3))).toList();
    Path out = dir.resolve("fixed");
    CapFilt.Result r = new CapFilt(named, fixed, config()).run(inputs, models(), out, CapFilt.Options.defaults());
    List<Candidate> all = scored(out).stream().flatMap(s -> s.candidates().stream()).toList();
    assertThat(all).hasSize(3 * (WEB - 2));
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i).itm()).isEqualTo(values[i % values.length]);
      assertThat(all.get(i).kept()).as("candidate %d with p=%s", i, all.get(i).itm()).isEqualTo(values[i % values.length] >= 0.5f);
    }
    long kept = all.stream().filter(Candidate::kept).count();
    JsonNode boot = JSON.readTree(out.resolve("bootstrapped.json").toFile());
    assertThat(boot.size()).isEqualTo(2 + kept);
    assertThat(r.report().web().kept() + r.report().synthetic().kept()).isEqualTo(kept);

    // the real ITM filter: its probabilities equal ImageTextMatcher.match's, one image at a time; threshold at their median
    Path real = dir.resolve("real-filter");
    new CapFilt(named, CaptionFilter.of(matcher), config()).run(inputs, models(), real, CapFilt.Options.defaults());
    List<Float> probs = new ArrayList<>();
    for (ScoredSample s : scored(real)) {
      List<String> texts = s.candidates().stream().map(Candidate::caption).toList();
      List<ImageTextMatcher.Match> m = matcher.match(ImageInput.of(inputs.imageRoot().resolve(s.image())), texts);
      for (int j = 0; j < texts.size(); j++) {
        assertThat(s.candidates().get(j).itm()).isCloseTo(m.get(j).itmMatchProb(), within(1e-5f));
        probs.add(s.candidates().get(j).itm());
      }
    }
    float median = probs.stream().sorted().toList().get(probs.size() / 2);
    Path atMedian = dir.resolve("median");
    new CapFilt(named, CaptionFilter.of(matcher), config().withThreshold(median)).run(inputs, models(), atMedian, CapFilt.Options.defaults());
    List<Candidate> m = scored(atMedian).stream().flatMap(s -> s.candidates().stream()).toList();
    assertThat(m.stream().map(Candidate::itm).toList()).isEqualTo(probs);
    assertThat(m).allMatch(c -> c.kept() == (c.itm() >= median));
    assertThat(m.stream().filter(Candidate::kept).count()).isBetween(1L, (long) m.size() - 1);
  }

  @Test
  void badImageIsSkippedAndCountedTheRestProcessed() throws Exception {
    List<ScoredSample> s = scored(straight);
    assertThat(s).hasSize(WEB - 2);
    assertThat(s.stream().map(x -> x.image()).toList()).doesNotContain("web/004.png", "web/007.png").contains("web/011.png");
    JsonNode shard1 = JSON.readTree(CapFilt.shardFile(straight, 1).toFile()); // samples 3, 4, 5 of the readable ones (file 004 is index 4)
    assertThat(shard1.get("skipped")).hasSize(1);
    assertThat(shard1.get("skipped").get(0).get("image").asText()).isEqualTo("web/004.png");
    assertThat(shard1.get("skipped").get(0).get("reason").asText()).isEqualTo("NOT_AN_IMAGE");
    assertThat(shard1.get("samples")).hasSize(2);
    JsonNode report = JSON.readTree(straight.resolve("report.json").toFile());
    assertThat(report.get("skipped_bad_images").toString()).isEqualTo("{\"NOT_AN_IMAGE\":1}");
    assertThat(report.get("input_bad_records").toString()).isEqualTo("{\"web MISSING_IMAGE\":1}");
    assertThat(report.get("web_samples_scored").asLong()).isEqualTo(WEB - 2);
    assertThat(report.get("web").get("total").asLong()).isEqualTo(WEB - 2);
    assertThat(report.get("synthetic").get("total").asLong()).isEqualTo(2L * (WEB - 2));
    assertThat(straightResult.inputBad().total()).isEqualTo(1);
  }

  @Test
  void bootstrappedHoldsHumanThenKeptWebThenKeptSynthetic() throws Exception {
    JsonNode boot = JSON.readTree(straight.resolve("bootstrapped.json").toFile());
    List<String> sources = new ArrayList<>();
    boot.forEach(n -> sources.add(n.get("source").asText()));
    assertThat(sources.subList(0, 2)).containsOnly("human");
    assertThat(boot.get(0).get("image").asText()).isEqualTo("web/000.png");
    assertThat(String.join(",", sources)).matches("human,human(,web)*(,synthetic)*");
    List<ScoredSample> s = scored(straight);
    long keptWeb = s.stream().flatMap(x -> x.candidates().stream()).filter(c -> c.kept() && c.source() == ShardResult.Source.WEB).count();
    long keptSyn = s.stream().flatMap(x -> x.candidates().stream()).filter(c -> c.kept() && c.source() == ShardResult.Source.SYNTHETIC).count();
    assertThat(sources.stream().filter("web"::equals).count()).isEqualTo(keptWeb);
    assertThat(sources.stream().filter("synthetic"::equals).count()).isEqualTo(keptSyn);
    assertThat(s.get(0).meta()).containsEntry("noise", "clean_web").containsEntry("image_id", 0);
  }

  /**
   * Web images in tar shards: {@code bootstrapped.json} can only label them, so the same records also
   * go to {@code OUT/bootstrapped/} as tar shards holding each record's image bytes — read back here
   * with the data readers, byte-identical after an interrupted run is resumed.
   */
  @Test
  void shardInputAlsoWritesTheBootstrappedSetAsShards() throws Exception {
    Path images = dir.resolve("world/images");
    Path webShards = dir.resolve("web-shards");
    try (SampleIterator it = SampleReaders.open(inputs.data(), ReadOptions.of(images, (key, reason, detail) -> {}));
        ShardWriter w = new ShardWriter(webShards, 5)) {
      for (int i = 0; it.hasNext(); i++) {
        Sample s = it.next();
        w.write(String.format("%03d", i), "png", s.image().readBytes(), s.caption(), s.meta());
      }
    }
    CapFilt.Inputs fromShards = new CapFilt.Inputs(webShards, images, inputs.human(), null);
    Path out = dir.resolve("from-shards");
    job(config()).run(fromShards, models(), out, CapFilt.Options.defaults());
    Path resumed = dir.resolve("from-shards-resumed");
    assertThat(job(config()).run(fromShards, models(), resumed, new CapFilt.Options(null, null, 2)).complete()).isFalse();
    job(config()).run(fromShards, models(), resumed, CapFilt.Options.defaults());
    assertThat(digests(resumed)).isEqualTo(digests(out)).containsKey("bootstrapped/00000.tar");

    // same images, same seeds: the captions of the file-input run, in the same order
    List<String> expected = new ArrayList<>();
    JSON.readTree(straight.resolve("bootstrapped.json").toFile()).forEach(n -> expected.add(n.get("source").asText() + ": " + n.get("caption").asText()));
    List<String> json = new ArrayList<>();
    JSON.readTree(out.resolve("bootstrapped.json").toFile()).forEach(n -> json.add(n.get("source").asText() + ": " + n.get("caption").asText()));
    assertThat(json).isEqualTo(expected);

    Map<String, byte[]> webBytesByLabel = new TreeMap<>();
    List<String> fromTar = new ArrayList<>();
    List<Sample> records = new ArrayList<>();
    try (SampleIterator it = SampleReaders.open(out.resolve(CapFilt.BOOTSTRAPPED_SHARDS), ReadOptions.of(out, (key, reason, detail) -> {}))) {
      it.forEachRemaining(records::add);
    }
    for (Sample r : records) {
      String source = (String) r.meta().get("source");
      fromTar.add(source + ": " + r.caption());
      byte[] bytes = r.image().readBytes();
      if (source.equals("human")) {
        String file = r.caption().equals("a small red circle") ? "web/000.png" : "web/001.png";
        assertThat(bytes).as("human image of '%s'", r.caption()).isEqualTo(Files.readAllBytes(images.resolve(file)));
      } else if (source.equals("web")) {
        int n = Integer.parseInt(r.caption().substring("a red circle number ".length()));
        assertThat(bytes).as("web image of '%s'", r.caption()).isEqualTo(Files.readAllBytes(images.resolve(String.format("web/%03d.png", n))));
        webBytesByLabel.put((String) r.meta().get("image"), bytes);
      } else {
        String label = (String) r.meta().get("image");
        if (webBytesByLabel.containsKey(label)) {
          assertThat(bytes).as("synthetic caption's image %s", label).isEqualTo(webBytesByLabel.get(label));
        }
      }
    }
    assertThat(fromTar).containsExactlyInAnyOrderElementsOf(json);
    assertThat(webBytesByLabel).isNotEmpty();
  }

  @Test
  void otherSettingsOnTheSameDirectoryAreRefused() {
    assertThatThrownBy(() -> job(config().withThreshold(0.6)).run(inputs, models(), straight, CapFilt.Options.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("different settings").hasMessageContaining("threshold 0.5 there, 0.6 now");
    assertThatThrownBy(() -> job(config()).run(inputs, Map.of("captioner", "other", "filter", "tiny-random-5"), straight, CapFilt.Options.defaults()))
        .hasMessageContaining("captioner \"tiny-random-5\" there, \"other\" now");
  }

  @Test
  void aNaNProbabilityIsLeftOutOfTheThresholdFreeNumbers() {
    float[] itm = {0.9f, Float.NaN, 0.1f};
    String[] kind = {"clean_web", "clean_web", "mismatch"};
    List<ScoredSample> s = new ArrayList<>();
    for (int i = 0; i < itm.length; i++) {
      s.add(new ScoredSample(i, "k" + i, "img" + i + ".png", Map.of("noise", kind[i]),
          List.of(new Candidate(ShardResult.Source.WEB, "w" + i, itm[i], itm[i] >= 0.5f))));
    }
    CapFiltReport r = CapFiltReport.of(s, Map.of(), Map.of(), 0, 0.5, null);
    assertThat(r.cleanVsNoisy().orElseThrow().auc()).isEqualTo(1.0);
    assertThat(r.cleanVsNoisy().orElseThrow().at(0.5)).isEqualTo(new BinaryScores.OperatingPoint(0.5, 1.0, 1.0));
    assertThat(r.cleanKeptFraction()).isEqualTo(0.5); // the NaN caption still counts, as removed
  }

  @Test
  void reportArithmeticOnHandMadeCandidates() {
    // web: clean_web 4 (1 removed), wrong_attr 3 (2 removed), mismatch 2 (2 removed), unrelated 1 (0 removed)
    List<ScoredSample> s = new ArrayList<>();
    float[][] web = {{0.95f, 1}, {0.8f, 1}, {0.55f, 1}, {0.2f, 0}, // clean_web
        {0.1f, 0}, {0.45f, 0}, {0.5f, 1}, // wrong_attr
        {0.05f, 0}, {0.0f, 0}, // mismatch
        {1.0f, 1}}; // unrelated
    String[] kind = {"clean_web", "clean_web", "clean_web", "clean_web", "wrong_attr", "wrong_attr", "wrong_attr", "mismatch", "mismatch", "unrelated"};
    for (int i = 0; i < web.length; i++) {
      List<Candidate> cs = new ArrayList<>(List.of(new Candidate(ShardResult.Source.WEB, "w" + i, web[i][0], web[i][1] == 1)));
      if (i < 5) { // synthetic: "ok" = correct, "bad" = incorrect, "?" = not judged; kept when i is even
        String cap = i == 0 || i == 3 ? "ok" : i == 4 ? "?" : "bad";
        cs.add(new Candidate(ShardResult.Source.SYNTHETIC, cap, 0.3f, i % 2 == 0));
      }
      s.add(new ScoredSample(i, "k" + i, "img" + i + ".png", Map.of("noise", kind[i]), cs));
    }
    CaptionOracle oracle = (image, caption) -> caption.equals("?") ? java.util.Optional.empty() : java.util.Optional.of(caption.equals("ok"));
    CapFiltReport r = CapFiltReport.of(s, Map.of("CORRUPT_IMAGE", 2L), Map.of(), 7, 0.5, oracle);
    assertThat(r.web()).isEqualTo(new CapFiltReport.Counts(10, 5));
    assertThat(r.synthetic()).isEqualTo(new CapFiltReport.Counts(5, 3));
    assertThat(r.bootstrapped()).isEqualTo(7 + 5 + 3);
    assertThat(r.kinds().keySet()).containsExactly("clean_web", "wrong_attr", "mismatch", "unrelated");
    assertThat(r.kinds().get("clean_web").removedFraction()).isEqualTo(0.25);
    assertThat(r.kinds().get("wrong_attr").removedFraction()).isEqualTo(2.0 / 3);
    assertThat(r.kinds().get("mismatch").removedFraction()).isEqualTo(1.0);
    assertThat(r.kinds().get("unrelated").removedFraction()).isEqualTo(0.0);
    assertThat(r.noisy()).isEqualTo(6);
    assertThat(r.noisyRemoved()).isEqualTo(4);
    assertThat(r.noisyRemovedFraction()).isEqualTo(4.0 / 6);
    assertThat(r.cleanKeptFraction()).isEqualTo(0.75);
    assertThat(r.removalPrecision()).isEqualTo(4.0 / 5); // removed: 1 clean + 4 noisy
    assertThat(r.kinds().get("clean_web").histogram()).containsExactly(0, 0, 1, 0, 0, 1, 0, 0, 1, 1);
    assertThat(r.kinds().get("wrong_attr").histogram()).containsExactly(0, 1, 0, 0, 1, 1, 0, 0, 0, 0);
    assertThat(r.kinds().get("mismatch").histogram()).containsExactly(2, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    assertThat(r.kinds().get("unrelated").histogram()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    assertThat(r.syntheticHistogram()).containsExactly(0, 0, 0, 5, 0, 0, 0, 0, 0, 0);
    // synthetic: i=0 ok kept, 1 bad removed, 2 bad kept, 3 ok removed, 4 ? kept
    CapFiltReport.OracleStats o = r.oracle().orElseThrow();
    assertThat(o).isEqualTo(new CapFiltReport.OracleStats(4, 2, 2, 1, 1));
    assertThat(o.incorrectRatio()).isEqualTo(0.5);
    assertThat(o.keptIncorrectRatio()).isEqualTo(0.5);
    assertThat(r.toMarkdown()).contains("removes 66.7 % of noisy web captions (4/6) and keeps 75.0 % of clean ones (3/4)")
        .contains("| wrong_attr (noisy: recall) | 3 | 2 | 66.7 % |").contains("precision of removal 80.0 %");
    // whatever the threshold, by hand: clean 0.95 0.8 0.55 0.2 against noisy 1.0 0.5 0.45 0.1 0.05 0.0 -> 5+5+5+3 of 24 pairs
    assertThat(r.cleanVsNoisy().orElseThrow().auc()).isEqualTo(0.75);
    assertThat(r.cleanVsNoisy().orElseThrow().at(0.5)).isEqualTo(new BinaryScores.OperatingPoint(0.5, r.cleanKeptFraction(), r.noisyRemovedFraction()));
    assertThat(r.toMarkdown()).contains("ROC AUC 0.750")
        .contains("at threshold 0.550: keeps 75.0 % of clean, removes 83.3 % of noisy captions")
        .contains("| clean kept | 100.0 % | 100.0 % | 75.0 % | 75.0 % | 75.0 % | 50.0 % | 50.0 % | 50.0 % | 25.0 % |")
        .contains("| noisy removed | 33.3 % | 50.0 % | 50.0 % | 50.0 % | 66.7 % | 83.3 % | 83.3 % | 83.3 % | 83.3 % |");
    JsonNode j = r.toJson();
    assertThat(j.get("filter_vs_noise_labels").get("kinds").get("mismatch").get("removed_fraction").asDouble()).isEqualTo(1.0);
    assertThat(j.get("filter_vs_noise_labels").get("auc").asDouble()).isEqualTo(0.75);
    assertThat(j.get("filter_vs_noise_labels").get("balanced").get("threshold").asDouble()).isEqualTo(0.55f);
    assertThat(j.get("filter_vs_noise_labels").get("thresholds")).hasSize(9);
    assertThat(j.get("filter_vs_noise_labels").get("thresholds").get(0).get("noisy_removed_fraction").asDouble()).isEqualTo(2.0 / 6);
    assertThat(j.get("synthetic_noise").get("incorrect_ratio").asDouble()).isEqualTo(0.5);
    assertThat(CapFiltReport.of(s, Map.of(), Map.of(), 0, 0.5, null).toJson().has("synthetic_noise")).isFalse();
  }
}
