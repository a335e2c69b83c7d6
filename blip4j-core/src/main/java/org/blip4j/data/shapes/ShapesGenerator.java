package org.blip4j.data.shapes;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.blip4j.data.shapes.Captions.Style;
import org.blip4j.data.shapes.Captions.WebKind;
import org.blip4j.data.shapes.Claim.Np;
import org.blip4j.data.shapes.Vocabulary.Color;
import org.blip4j.data.shapes.Vocabulary.Shape;

/**
 * Writes a Shapes world ({@code shared/SHAPES.md}) into a directory: {@code images/<split>/<id>.png},
 * one BLIP annotation JSON list per split ({@code <split>.json}, image paths relative to
 * {@code images/}), {@code answer_list.json}, {@code web_train_noise.json} and {@code summary.json}.
 *
 * <p>Every item (image, or image pair for NLVR) draws from its own {@link SplittableRandom} seeded
 * from (seed, split, item), so the output is byte-identical for a seed whatever the thread count.
 * The pre-training splits are also written as WebDataset shards under {@code shards/<split>/}.
 */
public final class ShapesGenerator {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a split holds. */
  public enum Kind {
    /** 5 records {image, caption, image_id} per image. */
    HUMAN_TRAIN,
    /** 1 record {image, caption, image_id, noise} per image. */
    WEB_TRAIN,
    /** 1 record {image, caption: [5], image_id} per image, human templates. */
    CAPTION_TEST,
    /** As CAPTION_TEST with the held-out templates. */
    ZS_TEST,
    /** 3 questions {question_id, image, question, answer: [a], type} per image. */
    VQA,
    /** 1 record {images: [a, b], sentence, label} per image pair. */
    NLVR,
    /** 1 record {video, frames: [8–16 paths], caption: [5]} per clip, plus appearance QA in video_qa_test.json. */
    VIDEO,
    /** 1 record {image, image_id, caption, dialog: [5 rounds of {question, answer, answer_options: [100], gt_index}]}. */
    DIALOG
  }

  /** A split: its name, default item count, kind. */
  public record Split(String name, int defaultItems, Kind kind) {}

  /** The splits, in writing order. */
  public static final List<Split> SPLITS = List.of(new Split("human_train", 2000, Kind.HUMAN_TRAIN),
      new Split("web_train", 20000, Kind.WEB_TRAIN), new Split("test", 1000, Kind.CAPTION_TEST),
      new Split("val", 1000, Kind.CAPTION_TEST), new Split("zs_test", 1000, Kind.ZS_TEST), new Split("vqa_train", 2000, Kind.VQA),
      new Split("vqa_test", 500, Kind.VQA), new Split("nlvr_train", 2000, Kind.NLVR), new Split("nlvr_test", 500, Kind.NLVR),
      new Split("video_test", 200, Kind.VIDEO), new Split("dialog_test", 200, Kind.DIALOG));

  /** Human captions per image. */
  public static final int CAPTIONS_PER_IMAGE = 5;
  /** VQA questions per image. */
  public static final int QUESTIONS_PER_IMAGE = 3;

  private final ShapesConfig config;

  /** A generator for these settings. */
  public ShapesGenerator(ShapesConfig config) {
    this.config = config;
  }

  /** Items (images, or pairs for NLVR) in the split at this scale; at least 1. */
  public int items(Split s) {
    return (int) Math.max(1, Math.round(s.defaultItems() * config.scale()));
  }

  /** Images of one item: 2 for an NLVR pair, the frame count for a clip, else 1. */
  public int images(int split, int item) {
    Kind k = SPLITS.get(split).kind();
    return k == Kind.NLVR ? 2 : k == Kind.VIDEO ? frameCount(split, item) : 1;
  }

  /** Images of the whole world at this scale. */
  public int totalImages() {
    int total = 0;
    for (int si = 0; si < SPLITS.size(); si++) {
      for (int i = 0, n = items(SPLITS.get(si)); i < n; i++) {
        total += images(si, i);
      }
    }
    return total;
  }

  private int frameCount(int split, int item) {
    return 8 + rng(split, item, 300).nextInt(9);
  }

  /** The clip of a video item. */
  public VideoClip clip(int split, int item) {
    return VideoClip.sample(rng(split, item, 0), config.imageSize(), frameCount(split, item));
  }

  /** The closed VQA answer vocabulary. */
  public static List<String> answerList() {
    List<String> a = new ArrayList<>();
    for (Color c : Color.values()) {
      a.add(c.word());
    }
    for (Shape s : Shape.values()) {
      a.add(s.word());
    }
    a.add("yes");
    a.add("no");
    for (int n = 0; n <= 4; n++) {
      a.add(Vocabulary.number(n));
    }
    return a;
  }

  /** The scene of an item's {@code sub}-th image (drawn from its own stream, before any caption). */
  public Scene scene(int split, int item, int sub) {
    return Scene.sample(rng(split, item, sub), config.imageSize());
  }

  private SplittableRandom rng(int split, int item, int stream) {
    long h = config.seed() * 0x9E3779B97F4A7C15L;
    h = mix(h ^ (split + 1) * 0xBF58476D1CE4E5B9L);
    h = mix(h ^ (item + 1L) * 0x94D049BB133111EBL);
    h = mix(h ^ (stream + 1L) * 0xD6E8FEB86659FD93L);
    return new SplittableRandom(h);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** One item's output. */
  private record Item(List<Map<String, Object>> records, String tag, List<String> types, List<Map<String, Object>> extra) {
    Item(List<Map<String, Object>> records, String tag, List<String> types) {
      this(records, tag, types, List.of());
    }
  }

  /** Generates everything into {@code out} (created if needed). */
  public ShapesSummary generate(Path out, ShapesProgressListener listener) throws IOException {
    long start = System.nanoTime();
    for (Split s : SPLITS) {
      Files.createDirectories(out.resolve("images").resolve(s.name()));
    }
    int total = totalImages();
    Item[][] results = new Item[SPLITS.size()][];
    List<int[]> chunks = new ArrayList<>();
    for (int si = 0; si < SPLITS.size(); si++) {
      int n = items(SPLITS.get(si));
      results[si] = new Item[n];
      for (int i = 0; i < n; i += 32) {
        chunks.add(new int[] {si, i, Math.min(n, i + 32)});
      }
    }
    WebKind[] webKinds = webKinds(SPLITS.indexOf(SPLITS.get(1)), items(SPLITS.get(1)));
    AtomicInteger done = new AtomicInteger();
    int totalImages = total;
    ExecutorService pool = Executors.newFixedThreadPool(config.threads(), r -> {
      Thread t = new Thread(r, "shapes-generator");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int[] c : chunks) {
        futures.add(pool.submit(() -> {
          for (int i = c[1]; i < c[2]; i++) {
            results[c[0]][i] = item(out, c[0], i, webKinds);
            listener.progress(done.addAndGet(images(c[0], i)), totalImages);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while generating the Shapes world", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      throw new IllegalStateException("Shapes generation failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
    return write(out, results, totalImages, (System.nanoTime() - start) / 1e9);
  }

  private ShapesSummary write(Path out, Item[][] results, int totalImages, double seconds) throws IOException {
    Map<String, Integer> images = new LinkedHashMap<>();
    Map<String, Integer> records = new LinkedHashMap<>();
    Map<String, Integer> webNoise = new LinkedHashMap<>();
    for (WebKind k : WebKind.values()) {
      webNoise.put(k.label, 0);
    }
    Map<String, Map<String, Integer>> nlvr = new LinkedHashMap<>();
    Map<String, Integer> vqaTypes = new LinkedHashMap<>();
    for (String t : List.of("color", "shape", "count", "existence", "relation")) {
      vqaTypes.put(t, 0);
    }
    List<Map<String, Object>> noiseSide = new ArrayList<>();
    for (int si = 0; si < SPLITS.size(); si++) {
      Split s = SPLITS.get(si);
      List<Map<String, Object>> all = new ArrayList<>();
      List<Map<String, Object>> extra = new ArrayList<>();
      Map<String, Integer> labels = new LinkedHashMap<>();
      if (s.kind() == Kind.NLVR) {
        labels.put("True", 0);
        labels.put("False", 0);
        nlvr.put(s.name(), labels);
      }
      for (Item it : results[si]) {
        all.addAll(it.records());
        extra.addAll(it.extra());
        if (s.kind() == Kind.WEB_TRAIN) {
          webNoise.merge(it.tag(), 1, Integer::sum);
          Map<String, Object> side = new LinkedHashMap<>();
          side.put("image", it.records().get(0).get("image"));
          side.put("noise", it.tag());
          noiseSide.add(side);
        } else if (s.kind() == Kind.NLVR) {
          labels.merge(it.tag(), 1, Integer::sum);
        } else if (s.kind() == Kind.VQA) {
          for (String t : it.types()) {
            vqaTypes.merge(t, 1, Integer::sum);
          }
        }
      }
      int imgs = 0;
      for (int i = 0; i < results[si].length; i++) {
        imgs += images(si, i);
      }
      images.put(s.name(), imgs);
      records.put(s.name(), all.size());
      JSON.writeValue(out.resolve(s.name() + ".json").toFile(), all);
      if (s.kind() == Kind.HUMAN_TRAIN || s.kind() == Kind.WEB_TRAIN) {
        writeShards(out, s.name(), all);
      }
      if (s.kind() == Kind.VIDEO) {
        records.put("video_qa_test", extra.size());
        JSON.writeValue(out.resolve("video_qa_test.json").toFile(), extra);
      }
    }
    JSON.writeValue(out.resolve("answer_list.json").toFile(), answerList());
    JSON.writeValue(out.resolve("web_train_noise.json").toFile(), noiseSide);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("seed", config.seed());
    summary.put("scale", config.scale());
    summary.put("noise", config.noise());
    summary.put("image_size", config.imageSize());
    summary.put("image_root", "images");
    summary.put("total_images", totalImages);
    summary.put("images", images);
    summary.put("records", records);
    summary.put("web_noise", webNoise);
    summary.put("nlvr_labels", nlvr);
    summary.put("vqa_types", vqaTypes);
    summary.put("shards", "shards/<split>/NNNNN.tar for human_train and web_train (img2dataset layout)");
    JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("summary.json").toFile(), summary);
    return new ShapesSummary(images, records, webNoise, nlvr, vqaTypes, totalImages, seconds);
  }

  /** Noise kinds of the web split: exact proportions, shuffled with the seed. */
  private WebKind[] webKinds(int split, int n) {
    WebKind[] k = new WebKind[n];
    int clean = (int) Math.round(n * (1 - config.noise()));
    WebKind[] noisy = {WebKind.WRONG_ATTR, WebKind.MISMATCH, WebKind.UNRELATED};
    for (int i = 0; i < n; i++) {
      k[i] = i < clean ? WebKind.CLEAN_WEB : noisy[(i - clean) % 3];
    }
    SplittableRandom r = rng(split, -2, 0);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      WebKind t = k[i];
      k[i] = k[j];
      k[j] = t;
    }
    return k;
  }

  private String image(Path out, int split, int item, int sub, Scene scene) {
    Split s = SPLITS.get(split);
    String item6 = String.format(Locale.ROOT, "%06d", item);
    String id = switch (s.kind()) {
      case NLVR -> item6 + "_" + sub;
      case VIDEO -> item6 + "/" + String.format(Locale.ROOT, "%02d", sub);
      default -> item6;
    };
    String rel = s.name() + "/" + id + ".png";
    try {
      Path file = out.resolve("images").resolve(s.name()).resolve(id + ".png");
      if (s.kind() == Kind.VIDEO && sub == 0) {
        Files.createDirectories(file.getParent());
      }
      Files.write(file, SceneRenderer.png(SceneRenderer.render(scene)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + rel, e);
    }
    return rel;
  }

  private Item item(Path out, int split, int item, WebKind[] webKinds) {
    Split s = SPLITS.get(split);
    if (s.kind() == Kind.VIDEO) {
      return videoItem(out, split, item);
    }
    Scene scene = scene(split, item, 0);
    SplittableRandom r = rng(split, item, 100);
    String img = image(out, split, item, 0, scene);
    String imageId = s.name() + "_" + String.format(Locale.ROOT, "%06d", item);
    List<Map<String, Object>> recs = new ArrayList<>();
    switch (s.kind()) {
      case HUMAN_TRAIN:
        for (String c : Captions.captions(scene, Style.HUMAN, CAPTIONS_PER_IMAGE, r)) {
          recs.add(record("image", img, "caption", c, "image_id", imageId));
        }
        return new Item(recs, null, List.of());
      case WEB_TRAIN: {
        WebKind kind = webKinds[item];
        int n = items(s);
        int start = n > 1 ? r.nextInt(n - 1) : 0;
        // other images of the split (beyond its end when it has too few: scenes of virtual items)
        String c = Captions.web(scene, kind, k -> scene(split, n > 1 + k ? (item + 1 + (start + k) % (n - 1)) % n : n + item + k, 0), r);
        recs.add(record("image", img, "caption", c, "image_id", imageId, "noise", kind.label));
        return new Item(recs, kind.label, List.of());
      }
      case CAPTION_TEST:
      case ZS_TEST: {
        Style style = s.kind() == Kind.ZS_TEST ? Style.HELD_OUT : Style.HUMAN;
        recs.add(record("image", img, "caption", Captions.captions(scene, style, CAPTIONS_PER_IMAGE, r), "image_id", imageId));
        return new Item(recs, null, List.of());
      }
      case VQA: {
        List<String> types = new ArrayList<>();
        List<String> asked = new ArrayList<>();
        for (int tries = 0; asked.size() < QUESTIONS_PER_IMAGE && tries < 200; tries++) {
          String[] qa = VqaQuestions.ask(scene, r);
          if (qa != null && !asked.contains(qa[0])) {
            asked.add(qa[0]);
            types.add(qa[2]);
            recs.add(record("question_id", item * QUESTIONS_PER_IMAGE + asked.size() - 1, "image", img, "question", qa[0], "answer",
                List.of(qa[1]), "type", qa[2]));
          }
        }
        return new Item(recs, null, types);
      }
      case NLVR: {
        Scene right = scene(split, item, 1);
        String img2 = image(out, split, item, 1, right);
        boolean label = nlvrLabel(split, item);
        String sentence = NlvrStatements.statement(scene, right, label, r);
        recs.add(record("images", List.of(img, img2), "sentence", sentence, "label", label ? "True" : "False"));
        return new Item(recs, label ? "True" : "False", List.of());
      }
      case DIALOG: {
        String caption = Captions.captions(scene, Style.HUMAN, 1, r).get(0);
        List<Map<String, Object>> rounds = new ArrayList<>();
        List<String> asked = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (int tries = 0; asked.size() < DIALOG_ROUNDS && tries < 300; tries++) {
          String[] qa = VqaQuestions.ask(scene, r);
          if (qa != null && !asked.contains(qa[0])) {
            asked.add(qa[0]);
            types.add(qa[2]);
            List<String> options = DialogAnswers.candidates(qa[1], r);
            rounds.add(record("question", qa[0], "answer", qa[1], "answer_options", options, "gt_index", options.indexOf(qa[1])));
          }
        }
        recs.add(record("image", img, "image_id", imageId, "caption", caption, "dialog", rounds));
        return new Item(recs, null, types);
      }
      default:
        throw new IllegalStateException(s.kind().toString());
    }
  }

  /** Rounds of question/answer per dialog. */
  public static final int DIALOG_ROUNDS = 5;

  private Item videoItem(Path out, int split, int item) {
    Split s = SPLITS.get(split);
    VideoClip clip = clip(split, item);
    SplittableRandom r = rng(split, item, 100);
    String video = s.name() + "/" + String.format(Locale.ROOT, "%06d", item);
    List<String> frames = new ArrayList<>();
    for (int t = 0; t < clip.frames().size(); t++) {
      frames.add(image(out, split, item, t, clip.frames().get(t)));
    }
    List<Map<String, Object>> recs = List.of(
        record("video", video, "frames", frames, "caption", Captions.videoCaptions(clip, CAPTIONS_PER_IMAGE, r)));
    List<Map<String, Object>> qas = new ArrayList<>();
    List<String> asked = new ArrayList<>();
    for (int tries = 0; asked.size() < 2 && tries < 200; tries++) {
      String[] qa = VqaQuestions.ask(clip.frames().get(0), r);
      if (qa != null && !qa[2].equals("relation") && !asked.contains(qa[0])) {
        asked.add(qa[0]);
        qas.add(record("question_id", item * 2 + asked.size() - 1, "video", video, "frames", frames, "question", qa[0], "answer",
            List.of(qa[1]), "type", qa[2]));
      }
    }
    return new Item(recs, null, List.of(), qas);
  }

  /** Balanced labels: pairs (2k, 2k+1) get one True and one False, which one drawn from the seed. */
  private boolean nlvrLabel(int split, int item) {
    boolean firstTrue = rng(split, item / 2, 200).nextBoolean();
    return (item % 2 == 0) == firstTrue;
  }

  private static Map<String, Object> record(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /** Used by statement generators: a noun phrase of a random object of the scenes, or a random one. */
  static Np randomNp(SplittableRandom r, Scene... scenes) {
    if (r.nextBoolean()) {
      Scene s = scenes[r.nextInt(scenes.length)];
      SceneObject o = s.objects().get(r.nextInt(s.objects().size()));
      return new Np(o.color(), o.shape(), r.nextDouble() < 0.3 ? o.size() : null);
    }
    return new Np(Color.values()[r.nextInt(8)], Shape.values()[r.nextInt(6)], null);
  }

  /** The pre-training splits also as WebDataset shards ({@code shards/<split>/00000.tar}: key.png, key.txt, key.json). */
  private static void writeShards(Path out, String split, List<Map<String, Object>> records) throws IOException {
    try (org.blip4j.data.ShardWriter w = new org.blip4j.data.ShardWriter(out.resolve("shards").resolve(split), 1000)) {
      int i = 0;
      for (Map<String, Object> r : records) {
        Map<String, Object> meta = new LinkedHashMap<>(r);
        meta.remove("caption");
        byte[] png = Files.readAllBytes(out.resolve("images").resolve((String) r.get("image")));
        w.write(String.format("%09d", i++), "png", png, (String) r.get("caption"), meta);
      }
    }
  }
}
