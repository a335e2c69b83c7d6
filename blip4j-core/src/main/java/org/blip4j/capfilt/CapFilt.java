package org.blip4j.capfilt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.blip4j.capfilt.ShardResult.Candidate;
import org.blip4j.capfilt.ShardResult.ScoredSample;
import org.blip4j.capfilt.ShardResult.SkippedSample;
import org.blip4j.capfilt.ShardResult.Source;
import org.blip4j.data.BadReason;
import org.blip4j.data.BadSampleCounter;
import org.blip4j.data.BadSampleListener;
import org.blip4j.data.ImageRef;
import org.blip4j.data.ReadOptions;
import org.blip4j.data.Sample;
import org.blip4j.data.SampleIterator;
import org.blip4j.data.SampleReaders;
import org.blip4j.data.Samples;
import org.blip4j.data.ShardWriter;
import org.blip4j.image.ImageDecodeException;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.RgbImage;
import org.blip4j.train.Checkpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CapFilt over a web dataset, resumable. The input (any format {@link SampleReaders} opens) is cut,
 * in input order, into work shards of {@link CapFiltConfig#shardSize()} readable samples. For each
 * shard: images are decoded (a bad one is skipped and recorded, the job goes on), the captioner
 * generates synthetic captions in batches, the filter scores the web caption and every synthetic one,
 * a caption is kept when its probability is {@code >= threshold}, and the shard's result is written
 * atomically to {@code OUT/shards/NNNNN.json}. An existing shard file is finished work: a rerun skips
 * it. Sampling of image {@code i} is seeded by (seed, i) only and batches never cross a shard, so an
 * interrupted run, resumed, writes exactly the bytes of an uninterrupted one. When every shard exists
 * they are merged into {@code OUT/bootstrapped.json} (BLIP annotation list {@code {image, caption,
 * source}}: the human set, then the kept web, then the kept synthetic captions),
 * {@code OUT/report.json} and {@code OUT/report.md}; when an input's images lie in tar shards, the same
 * records also go to {@code OUT/bootstrapped/} as tar shards that pre-training reads directly. {@code OUT/capfilt.json} holds the run's
 * settings; a directory made with other settings is refused.
 */
public final class CapFilt {
  private static final Logger LOG = LoggerFactory.getLogger(CapFilt.class);
  /** Format tag of {@code capfilt.json}. */
  public static final String FORMAT = "blip4j-capfilt/1";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** For the extra reads of an input (counting, writing shards): another read of the same input counts its bad records. */
  private static final BadSampleListener COUNTED_ELSEWHERE = (key, reason, detail) -> {};

  /**
   * The datasets.
   *
   * @param data the web dataset
   * @param imageRoot its image root; {@code bootstrapped.json}'s image paths are relative to it
   * @param human the human-annotated dataset passed through to {@code bootstrapped.json}, or null
   * @param humanImageRoot its image root (null: {@code imageRoot})
   */
  public record Inputs(Path data, Path imageRoot, Path human, Path humanImageRoot) {
    public Inputs {
      Objects.requireNonNull(data, "data");
      Objects.requireNonNull(imageRoot, "imageRoot");
      humanImageRoot = humanImageRoot == null ? imageRoot : humanImageRoot;
    }
  }

  /**
   * How one call goes.
   *
   * @param listener progress
   * @param oracle judges synthetic captions for the report (null: none)
   * @param maxNewShards stop after writing this many shards, leaving the run to be resumed (0: no limit)
   */
  public record Options(CapFiltListener listener, CaptionOracle oracle, int maxNewShards) {
    public Options {
      listener = listener == null ? CapFiltListener.NONE : listener;
      if (maxNewShards < 0) {
        throw new IllegalArgumentException("max new shards must be >= 0, got " + maxNewShards);
      }
    }

    /** No listener, no oracle, no limit. */
    public static Options defaults() {
      return new Options(CapFiltListener.NONE, null, 0);
    }
  }

  /**
   * What a call did.
   *
   * @param complete every shard is written and the outputs merged
   * @param samples readable web samples in the input
   * @param shards work shards in all
   * @param resumedShards shards found finished and skipped
   * @param writtenShards shards written by this call
   * @param inputBad web records the reader skipped (missing image file, empty caption, ...)
   * @param report the report, when complete
   */
  public record Result(boolean complete, long samples, int shards, int resumedShards, int writtenShards, BadSampleCounter inputBad, CapFiltReport report) {}

  private final SyntheticCaptioner captioner;
  private final CaptionFilter filter;
  private final CapFiltConfig config;
  private final ImageDecoder decoder = new ImageDecoder();

  /** A job with these models and settings. */
  public CapFilt(SyntheticCaptioner captioner, CaptionFilter filter, CapFiltConfig config) {
    this.captioner = Objects.requireNonNull(captioner, "captioner");
    this.filter = Objects.requireNonNull(filter, "filter");
    this.config = Objects.requireNonNull(config, "config");
  }

  /** The settings. */
  public CapFiltConfig config() {
    return config;
  }

  /**
   * Runs (or resumes) the job into {@code out}.
   *
   * @param models what identifies the captioner and the filter (e.g. their paths); stored with the
   *     settings and compared on resume
   */
  public Result run(Inputs in, Map<String, String> models, Path out, Options options) throws IOException {
    checkSettings(out, settings(in, models));
    Path shardDir = out.resolve("shards");
    Files.createDirectories(shardDir);
    long total = count(in);
    int shards = Math.toIntExact((total + config.shardSize() - 1) / config.shardSize());
    int resumed = 0;
    long resumedSamples = 0;
    for (int k = 0; k < shards; k++) {
      if (Files.isRegularFile(shardFile(out, k))) {
        resumed++;
        resumedSamples += shardSize(k, total);
      }
    }
    options.listener().started(total, shards, resumed, resumedSamples);
    BadSampleCounter inputBad = new BadSampleCounter();
    int written = 0;
    long done = resumedSamples;
    boolean stopped = false;
    boolean webInShards = false;
    try (SampleIterator it = SampleReaders.open(in.data(), ReadOptions.of(in.imageRoot(), inputBad))) {
      long index = 0;
      for (int k = 0; k < shards && !stopped; k++) {
        List<Sample> group = new ArrayList<>();
        long first = index;
        while (group.size() < shardSize(k, total) && it.hasNext()) {
          Sample s = it.next();
          webInShards |= s.image() instanceof ImageRef.Bytes;
          group.add(s);
          index++;
        }
        if (group.size() != shardSize(k, total)) {
          throw new IllegalStateException(in.data() + " changed while CapFilt read it: " + index + " readable samples now, " + total + " before");
        }
        if (Files.isRegularFile(shardFile(out, k))) {
          continue;
        }
        if (options.maxNewShards() > 0 && written == options.maxNewShards()) {
          stopped = true;
          break;
        }
        ShardResult r = process(k, first, group, in.imageRoot());
        Checkpoints.writeAtomically(shardFile(out, k), (PRETTY.writeValueAsString(r.toJson()) + "\n").getBytes(StandardCharsets.UTF_8));
        written++;
        done += group.size();
        options.listener().shardWritten(k, done, r.skipped().size());
      }
    }
    if (stopped) {
      return new Result(false, total, shards, resumed, written, inputBad, null);
    }
    CapFiltReport report = merge(in, out, shards, total, inputBad, webInShards, options.oracle());
    options.listener().merged();
    return new Result(true, total, shards, resumed, written, inputBad, report);
  }

  private int shardSize(int k, long total) {
    return (int) Math.min(config.shardSize(), total - (long) k * config.shardSize());
  }

  /** {@code OUT/bootstrapped/}: the bootstrapped dataset as tar shards, when an input's images lie in tar shards. */
  public static final String BOOTSTRAPPED_SHARDS = "bootstrapped";

  /** Records per {@code OUT/bootstrapped/} shard. */
  static final int RECORDS_PER_SHARD = 1000;

  /** {@code OUT/shards/NNNNN.json}. */
  public static Path shardFile(Path out, int shard) {
    return out.resolve("shards").resolve(String.format("%05d.json", shard));
  }

  private long count(Inputs in) throws IOException {
    long n = 0;
    try (SampleIterator it = SampleReaders.open(in.data(), ReadOptions.of(in.imageRoot(), COUNTED_ELSEWHERE))) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  /** Scores one shard's samples. Package-private for tests. */
  ShardResult process(int shard, long firstIndex, List<Sample> group, Path imageRoot) {
    List<ScoredSample> scored = new ArrayList<>();
    List<SkippedSample> skipped = new ArrayList<>();
    List<Sample> batch = new ArrayList<>();
    List<RgbImage> images = new ArrayList<>();
    List<Long> indices = new ArrayList<>();
    for (int i = 0; i < group.size(); i++) {
      Sample s = group.get(i);
      long index = firstIndex + i;
      try {
        images.add(s.image().decode(decoder));
        batch.add(s);
        indices.add(index);
      } catch (ImageDecodeException e) {
        BadReason reason = Samples.classify(e);
        LOG.warn("CapFilt skips sample {} ({}): {} ({})", index, s.key(), reason, e.getMessage());
        skipped.add(new SkippedSample(index, s.key(), imageName(s.image(), imageRoot), reason.name(), e.getMessage()));
      }
      if (batch.size() == config.batchSize() || (i == group.size() - 1 && !batch.isEmpty())) {
        scored.addAll(scoreBatch(batch, images, indices, imageRoot));
        batch.clear();
        images.clear();
        indices.clear();
      }
    }
    return new ShardResult(shard, firstIndex, group.size(), scored, skipped);
  }

  private List<ScoredSample> scoreBatch(List<Sample> batch, List<RgbImage> images, List<Long> indices, Path imageRoot) {
    long[] seeds = indices.stream().mapToLong(config::sampleSeed).toArray();
    List<List<String>> synthetic = captioner.caption(images, seeds);
    if (synthetic.size() != batch.size()) {
      throw new IllegalStateException("the captioner returned captions for " + synthetic.size() + " images, expected " + batch.size());
    }
    List<List<String>> texts = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      List<String> t = new ArrayList<>(batch.get(i).captions());
      t.addAll(synthetic.get(i));
      texts.add(t);
    }
    float[][] probs = filter.matchProbabilities(images, texts);
    List<ScoredSample> out = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      Sample s = batch.get(i);
      if (probs[i].length != texts.get(i).size()) {
        throw new IllegalStateException("the filter returned " + probs[i].length + " probabilities for sample " + s.key() + ", expected " + texts.get(i).size());
      }
      List<Candidate> cs = new ArrayList<>();
      int web = s.captions().size();
      for (int j = 0; j < texts.get(i).size(); j++) {
        float p = probs[i][j];
        cs.add(new Candidate(j < web ? Source.WEB : Source.SYNTHETIC, texts.get(i).get(j), p, p >= config.threshold()));
      }
      out.add(new ScoredSample(indices.get(i), s.key(), imageName(s.image(), imageRoot), s.meta(), cs));
    }
    return out;
  }

  /** The image as written to the outputs: relative to {@code root} ('/'-separated) when under it, else absolute; a shard member's label. */
  static String imageName(ImageRef ref, Path root) {
    return ref instanceof ImageRef.File f ? CaptionOracle.imagePath(f.path(), root) : ref.source();
  }

  private CapFiltReport merge(Inputs in, Path out, int shards, long total, BadSampleCounter webBad, boolean webInShards, CaptionOracle oracle)
      throws IOException {
    List<ScoredSample> scored = new ArrayList<>();
    Map<String, Long> skipped = new TreeMap<>();
    for (int k = 0; k < shards; k++) {
      Path f = shardFile(out, k);
      ShardResult r = ShardResult.fromJson(JSON.readTree(f.toFile()), f.toString());
      if (r.shard() != k || r.firstIndex() != (long) k * config.shardSize() || r.size() != shardSize(k, total)) {
        throw new IllegalStateException(f + " was written for another input (shard " + r.shard() + ", first index " + r.firstIndex() + ", size "
            + r.size() + "; expected " + k + ", " + (long) k * config.shardSize() + ", " + shardSize(k, total) + "); use a new output directory");
      }
      scored.addAll(r.samples());
      r.skipped().forEach(s -> skipped.merge(s.reason(), 1L, Long::sum));
    }
    Map<String, Long> inputBad = new TreeMap<>();
    webBad.counts().forEach((reason, n) -> inputBad.put("web " + reason.name(), n));
    StringBuilder boot = new StringBuilder("[");
    long human = 0;
    boolean humanInShards = false;
    if (in.human() != null) {
      BadSampleCounter humanBad = new BadSampleCounter();
      try (SampleIterator it = SampleReaders.open(in.human(), ReadOptions.of(in.humanImageRoot(), humanBad))) {
        while (it.hasNext()) {
          Sample s = it.next();
          humanInShards |= s.image() instanceof ImageRef.Bytes;
          for (String c : s.captions()) {
            appendRecord(boot, imageName(s.image(), in.imageRoot()), c, Source.HUMAN);
            human++;
          }
        }
      }
      humanBad.counts().forEach((reason, n) -> inputBad.put("human " + reason.name(), n));
    }
    for (Source source : List.of(Source.WEB, Source.SYNTHETIC)) {
      for (ScoredSample s : scored) {
        for (Candidate c : s.candidates()) {
          if (c.source() == source && c.kept()) {
            appendRecord(boot, s.image(), c.caption(), source);
          }
        }
      }
    }
    boot.append(boot.length() == 1 ? "]\n" : "\n]\n");
    Checkpoints.writeAtomically(out.resolve("bootstrapped.json"), boot.toString().getBytes(StandardCharsets.UTF_8));
    if (webInShards || humanInShards) {
      writeBootstrappedShards(in, out, scored);
    }
    CapFiltReport report = CapFiltReport.of(scored, skipped, inputBad, human, config.threshold(), oracle);
    ObjectNode json = report.toJson();
    json.set("settings", JSON.readTree(out.resolve("capfilt.json").toFile()));
    Checkpoints.writeAtomically(out.resolve("report.json"), (PRETTY.writeValueAsString(json) + "\n").getBytes(StandardCharsets.UTF_8));
    Checkpoints.writeAtomically(out.resolve("report.md"), report.toMarkdown().getBytes(StandardCharsets.UTF_8));
    return report;
  }

  /**
   * {@code OUT/bootstrapped/NNNNN.tar}: the records of {@code bootstrapped.json} as WebDataset shards
   * (image bytes as read, caption, {@code json} member {@code {image, source}}), for inputs whose images
   * lie in tar shards, where the JSON's image labels name no file. Human records come first, then each
   * web image's kept web caption and kept synthetic captions (grouped by image). Written to a temporary
   * directory that replaces the old one, so a rerun writes the same bytes.
   */
  private void writeBootstrappedShards(Inputs in, Path out, List<ScoredSample> scored) throws IOException {
    Path tmp = out.resolve("." + BOOTSTRAPPED_SHARDS + ".tmp");
    Checkpoints.deleteTree(tmp);
    try (ShardWriter w = new ShardWriter(tmp, RECORDS_PER_SHARD)) {
      if (in.human() != null) {
        try (SampleIterator it = SampleReaders.open(in.human(), ReadOptions.of(in.humanImageRoot(), COUNTED_ELSEWHERE))) {
          for (long i = 0; it.hasNext(); i++) {
            Sample s = it.next();
            for (int j = 0; j < s.captions().size(); j++) {
              String key = String.format(Locale.ROOT, "human-%09d-%d", i, j);
              writeRecord(w, key, s.image(), imageName(s.image(), in.imageRoot()), s.captions().get(j), Source.HUMAN);
            }
          }
        }
      }
      Iterator<ScoredSample> next = scored.iterator();
      ScoredSample want = next.hasNext() ? next.next() : null;
      try (SampleIterator it = SampleReaders.open(in.data(), ReadOptions.of(in.imageRoot(), COUNTED_ELSEWHERE))) {
        for (long i = 0; want != null && it.hasNext(); i++) {
          Sample s = it.next();
          if (want.index() != i) {
            continue; // skipped by CapFilt (bad image)
          }
          int j = 0;
          for (Candidate c : want.candidates()) {
            if (c.kept()) {
              writeRecord(w, String.format(Locale.ROOT, "web-%09d-%d", i, j++), s.image(), want.image(), c.caption(), c.source());
            }
          }
          want = next.hasNext() ? next.next() : null;
        }
      }
    }
    Path dir = out.resolve(BOOTSTRAPPED_SHARDS);
    Checkpoints.deleteTree(dir);
    Files.move(tmp, dir);
  }

  private static void writeRecord(ShardWriter w, String key, ImageRef image, String label, String caption, Source source) throws IOException {
    w.write(new Sample(key, image, List.of(caption), Map.of("image", label, "source", source.label())));
  }

  private static void appendRecord(StringBuilder sb, String image, String caption, Source source) {
    ObjectNode o = JSON.createObjectNode().put("image", image).put("caption", caption).put("source", source.label());
    sb.append(sb.length() == 1 ? "\n" : ",\n").append(o);
  }

  /** The settings as stored in {@code capfilt.json}. */
  ObjectNode settings(Inputs in, Map<String, String> models) {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    new TreeMap<>(models).forEach(o::put);
    o.put("data", abs(in.data()));
    o.put("image_root", abs(in.imageRoot()));
    o.put("human", in.human() == null ? null : abs(in.human()));
    o.put("human_image_root", in.human() == null ? null : abs(in.humanImageRoot()));
    o.put("method", config.method().label());
    o.put("num_captions", config.numCaptions());
    o.put("top_p", config.topP());
    o.put("beams", config.beams());
    o.put("threshold", config.threshold());
    o.put("seed", config.seed());
    o.put("shard_size", config.shardSize());
    o.put("batch_size", config.batchSize());
    o.put("max_length", config.maxLength());
    o.put("min_length", config.minLength());
    o.put("prompt", config.prompt());
    return o;
  }

  private static String abs(Path p) {
    return p.toAbsolutePath().normalize().toString();
  }

  private static void checkSettings(Path out, ObjectNode written) throws IOException {
    Path file = out.resolve("capfilt.json");
    JsonNode settings = JSON.readTree(JSON.writeValueAsString(written)); // compare as read back: 0.9f and 0.9 alike
    if (!Files.exists(file)) {
      Files.createDirectories(out);
      Checkpoints.writeAtomically(file, (PRETTY.writeValueAsString(written) + "\n").getBytes(StandardCharsets.UTF_8));
      return;
    }
    JsonNode old;
    try {
      old = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " is not a readable CapFilt settings file (" + e.getMessage() + "); use another output directory", e);
    }
    List<String> diffs = new ArrayList<>();
    Iterator<String> names = settings.fieldNames();
    while (names.hasNext()) {
      String k = names.next();
      if (!settings.get(k).equals(old.get(k))) {
        diffs.add(k + " " + (old.has(k) ? old.get(k) : "(absent)") + " there, " + settings.get(k) + " now");
      }
    }
    old.fieldNames().forEachRemaining(k -> {
      if (!settings.has(k)) {
        diffs.add(k + " " + old.get(k) + " there, absent now");
      }
    });
    if (!diffs.isEmpty()) {
      throw new IllegalArgumentException(out + " holds a CapFilt run made with different settings (" + String.join("; ", diffs)
          + "); rerun with the same settings to resume it, or use another output directory");
    }
  }
}
