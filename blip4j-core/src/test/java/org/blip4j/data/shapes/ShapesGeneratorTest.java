package org.blip4j.data.shapes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated world: determinism, formats of every split (SHAPES.md), truth of the written annotations. */
class ShapesGeneratorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ShapesConfig CONFIG = new ShapesConfig(0.02, 0.4, 64, 1, 2);

  @TempDir static Path shared;
  static Path world;
  static ShapesSummary summary;
  static final AtomicInteger lastProgress = new AtomicInteger();

  @BeforeAll
  static void generate() throws IOException {
    world = shared.resolve("world");
    summary = new ShapesGenerator(CONFIG).generate(world, (done, total) -> lastProgress.accumulateAndGet(done, Math::max));
  }

  private static JsonNode read(String name) {
    try {
      return JSON.readTree(world.resolve(name).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, byte[]> files(Path root) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
        out.put(root.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  @Test
  void sameSeedGivesIdenticalBytesWhateverTheThreadCountAndAnotherSeedDiffers(@TempDir Path tmp) throws IOException {
    Path again = tmp.resolve("again");
    new ShapesGenerator(CONFIG.withThreads(1)).generate(again, ShapesProgressListener.none());
    Map<String, byte[]> a = files(world);
    Map<String, byte[]> b = files(again);
    assertThat(b.keySet()).isEqualTo(a.keySet());
    for (String k : a.keySet()) {
      assertThat(Arrays.equals(a.get(k), b.get(k))).as("bytes of %s", k).isTrue();
    }
    Path other = tmp.resolve("other");
    new ShapesGenerator(CONFIG.withSeed(2)).generate(other, ShapesProgressListener.none());
    Map<String, byte[]> c = files(other);
    int differentPngs = 0;
    for (String k : a.keySet()) {
      if (k.endsWith(".png") && !Arrays.equals(a.get(k), c.get(k))) {
        differentPngs++;
      }
    }
    assertThat(differentPngs).isGreaterThan(a.size() * 9 / 10 - 10);
    assertThat(Arrays.equals(a.get("web_train.json"), c.get("web_train.json"))).isFalse();
  }

  @Test
  void everySplitFollowsShapesMd() throws IOException {
    Set<String> pngs = new HashSet<>();
    Set<String> answers = new HashSet<>();
    read("answer_list.json").forEach(a -> answers.add(a.asText()));
    assertThat(answers).contains("yes", "no", "red", "circle", "two");
    Path images = world.resolve("images");
    for (ShapesGenerator.Split s : ShapesGenerator.SPLITS) {
      JsonNode list = read(s.name() + ".json");
      assertThat(list.isArray()).as(s.name()).isTrue();
      assertThat(list.size()).as(s.name()).isEqualTo(summary.records().get(s.name()));
      Set<Long> questionIds = new HashSet<>();
      for (JsonNode rec : list) {
        List<String> keys = new ArrayList<>();
        rec.fieldNames().forEachRemaining(keys::add);
        switch (s.kind()) {
          case HUMAN_TRAIN -> {
            assertThat(keys).containsExactly("image", "caption", "image_id");
            assertThat(rec.get("caption").isTextual()).isTrue();
          }
          case WEB_TRAIN -> {
            assertThat(keys).containsExactly("image", "caption", "image_id", "noise");
            assertThat(rec.get("caption").isTextual()).isTrue();
            assertThat(rec.get("noise").asText()).isIn("clean_web", "wrong_attr", "mismatch", "unrelated");
          }
          case CAPTION_TEST, ZS_TEST -> {
            assertThat(keys).containsExactly("image", "caption", "image_id");
            assertThat(rec.get("caption").isArray()).isTrue();
            assertThat(rec.get("caption")).hasSize(5);
            rec.get("caption").forEach(c -> assertThat(c.isTextual() && !c.asText().isBlank()).isTrue());
          }
          case VQA -> {
            assertThat(keys).containsExactly("question_id", "image", "question", "answer", "type");
            assertThat(rec.get("question_id").isIntegralNumber()).isTrue();
            assertThat(questionIds.add(rec.get("question_id").asLong())).as("unique question_id").isTrue();
            assertThat(rec.get("question").asText()).endsWith("?");
            assertThat(rec.get("answer").isArray()).isTrue();
            rec.get("answer").forEach(a -> assertThat(answers).contains(a.asText()));
          }
          case NLVR -> {
            assertThat(keys).containsExactly("images", "sentence", "label");
            assertThat(rec.get("images")).hasSize(2);
            assertThat(rec.get("label").asText()).isIn("True", "False");
            rec.get("images").forEach(i -> pngs.add(checkImage(images, i.asText(), s.name())));
          }
          case VIDEO -> {
            assertThat(keys).containsExactly("video", "frames", "caption");
            assertThat(rec.get("frames").size()).isBetween(8, 16);
            assertThat(rec.get("caption")).hasSize(5);
            rec.get("frames").forEach(i -> pngs.add(checkImage(images, i.asText(), s.name())));
          }
          case DIALOG -> {
            assertThat(keys).containsExactly("image", "image_id", "caption", "dialog");
            assertThat(rec.get("caption").isTextual()).isTrue();
            assertThat(rec.get("dialog")).hasSize(ShapesGenerator.DIALOG_ROUNDS);
            for (JsonNode round : rec.get("dialog")) {
              List<String> rk = new ArrayList<>();
              round.fieldNames().forEachRemaining(rk::add);
              assertThat(rk).containsExactly("question", "answer", "answer_options", "gt_index");
              JsonNode opts = round.get("answer_options");
              assertThat(opts).hasSize(100);
              Set<String> distinct = new HashSet<>();
              opts.forEach(o -> distinct.add(o.asText()));
              assertThat(distinct).hasSize(100);
              assertThat(opts.get(round.get("gt_index").asInt()).asText()).isEqualTo(round.get("answer").asText());
            }
          }
        }
        if (rec.has("image")) {
          pngs.add(checkImage(images, rec.get("image").asText(), s.name()));
        }
      }
    }
    JsonNode videoQa = read("video_qa_test.json");
    assertThat(videoQa.size()).isGreaterThan(0);
    for (JsonNode q : videoQa) {
      List<String> keys = new ArrayList<>();
      q.fieldNames().forEachRemaining(keys::add);
      assertThat(keys).containsExactly("question_id", "video", "frames", "question", "answer", "type");
      assertThat(answers).contains(q.get("answer").get(0).asText());
    }
    assertThat(pngs).hasSize(summary.totalImages());
    try (Stream<Path> all = Files.walk(images)) {
      assertThat(all.filter(p -> p.toString().endsWith(".png")).count()).isEqualTo(summary.totalImages());
    }
    assertThat(lastProgress.get()).isEqualTo(summary.totalImages());
  }

  private static String checkImage(Path root, String rel, String split) {
    assertThat(rel).startsWith(split + "/").endsWith(".png").doesNotStartWith("/");
    Path p = root.resolve(rel);
    assertThat(p).isRegularFile();
    try {
      BufferedImage img = ImageIO.read(p.toFile());
      assertThat(img.getWidth()).isEqualTo(CONFIG.imageSize());
      assertThat(img.getHeight()).isEqualTo(CONFIG.imageSize());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rel;
  }

  @Test
  void summaryCountsNoiseMixAndBalance() {
    JsonNode s = read("summary.json");
    int web = summary.images().get("web_train");
    assertThat(web).isEqualTo(400);
    assertThat(s.get("web_noise").get("clean_web").asInt()).isEqualTo(240);
    for (String k : List.of("wrong_attr", "mismatch", "unrelated")) {
      assertThat(s.get("web_noise").get(k).asInt()).isEqualTo(160 / 3 + (k.equals("wrong_attr") ? 1 : 0));
    }
    for (String split : List.of("nlvr_train", "nlvr_test")) {
      JsonNode labels = s.get("nlvr_labels").get(split);
      assertThat(Math.abs(labels.get("True").asInt() - labels.get("False").asInt())).as(split).isLessThanOrEqualTo(1);
    }
    assertThat(s.get("total_images").asInt()).isEqualTo(summary.totalImages());
    Map<String, Integer> vqa = new HashMap<>();
    s.get("vqa_types").fields().forEachRemaining(e -> vqa.put(e.getKey(), e.getValue().asInt()));
    assertThat(vqa.values()).allMatch(v -> v > 0);
  }

  @Test
  void writtenCaptionsAreTrueOfTheirScenes() {
    ShapesGenerator g = new ShapesGenerator(CONFIG);
    int checked = 0;
    for (int si = 0; si < ShapesGenerator.SPLITS.size(); si++) {
      ShapesGenerator.Split split = ShapesGenerator.SPLITS.get(si);
      for (JsonNode rec : read(split.name() + ".json")) {
        if (!rec.has("image") || !rec.has("caption")) {
          continue;
        }
        int item = Integer.parseInt(rec.get("image").asText().replaceAll(".*/(\\d+)\\.png", "$1"));
        Scene scene = g.scene(si, item, 0);
        List<String> caps = new ArrayList<>();
        if (rec.get("caption").isArray()) {
          rec.get("caption").forEach(c -> caps.add(c.asText()));
        } else {
          caps.add(rec.get("caption").asText());
        }
        String noise = rec.has("noise") ? rec.get("noise").asText() : "clean";
        for (String c : caps) {
          switch (noise) {
            case "clean", "clean_web" -> assertThat(CaptionChecker.truth(c, scene)).as("%s %s", split.name(), c).isTrue();
            case "wrong_attr", "mismatch" -> assertThat(CaptionChecker.truth(c, scene)).as("%s %s", noise, c).isFalse();
            default -> assertThat(CaptionChecker.mentionsVocabulary(c)).isFalse();
          }
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(904); // 40×5 human_train + 400 web + 3×20×5 test/val/zs_test + 4 dialog
  }

  @Test
  void vqaAnswersMatchTheScene() {
    ShapesGenerator g = new ShapesGenerator(CONFIG);
    int si = ShapesGenerator.SPLITS.indexOf(ShapesGenerator.SPLITS.stream().filter(s -> s.name().equals("vqa_train")).findFirst().get());
    List<String> numbers = List.of("zero", "one", "two", "three", "four");
    for (JsonNode rec : read("vqa_train.json")) {
      int item = Integer.parseInt(rec.get("image").asText().replaceAll(".*/(\\d+)\\.png", "$1"));
      Scene scene = g.scene(si, item, 0);
      String q = rec.get("question").asText();
      String a = rec.get("answer").get(0).asText();
      if (q.equals("how many shapes are there?")) {
        assertThat(numbers.indexOf(a)).isEqualTo(scene.objects().size());
      } else if (q.startsWith("what color is the ")) {
        String shape = q.substring(18, q.length() - 1);
        assertThat(scene.objects().stream().filter(o -> o.shape().word().equals(shape)).map(o -> o.color().word())).containsExactly(a);
      } else if (q.startsWith("is there ")) {
        String np = q.replaceFirst("is there an? ", "").replace("?", "");
        boolean present = scene.objects().stream().anyMatch(o -> (o.color().word() + " " + o.shape().word()).equals(np));
        assertThat(a).isEqualTo(present ? "yes" : "no");
      }
    }
  }

  @Test
  void videoCaptionsHoldInEveryFrameAndMotionIsRight() {
    ShapesGenerator g = new ShapesGenerator(CONFIG);
    int si = ShapesGenerator.SPLITS.size() - 2;
    assertThat(ShapesGenerator.SPLITS.get(si).name()).isEqualTo("video_test");
    int motion = 0;
    for (JsonNode rec : read("video_test.json")) {
      int item = Integer.parseInt(rec.get("video").asText().replaceAll(".*/(\\d+)", "$1"));
      VideoClip clip = g.clip(si, item);
      assertThat(clip.frames()).hasSize(rec.get("frames").size());
      for (JsonNode c : rec.get("caption")) {
        String text = c.asText();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(.*) moving (to the left|to the right|up|down)").matcher(text);
        if (m.matches()) {
          motion++;
          CaptionChecker.Phrase p = CaptionChecker.phrases(m.group(1)).get(0);
          boolean some = false;
          for (int i = 0; i < clip.frames().get(0).objects().size(); i++) {
            SceneObject a = clip.frames().get(0).objects().get(i);
            SceneObject b = clip.frames().get(clip.frames().size() - 1).objects().get(i);
            double dx = b.cx() - a.cx();
            double dy = b.cy() - a.cy();
            boolean dir = switch (m.group(2)) {
              case "to the left" -> dx < 0 && Math.abs(dx) > Math.abs(dy);
              case "to the right" -> dx > 0 && Math.abs(dx) > Math.abs(dy);
              case "up" -> dy < 0 && Math.abs(dy) > Math.abs(dx);
              default -> dy > 0 && Math.abs(dy) > Math.abs(dx);
            };
            some |= p.fits(a) && dir;
          }
          assertThat(some).as("%s in %s", text, rec.get("video")).isTrue();
        } else {
          for (Scene f : clip.frames()) {
            assertThat(CaptionChecker.truth(text, f)).as("%s in every frame of %s", text, rec.get("video")).isTrue();
          }
        }
      }
    }
    assertThat(motion).isGreaterThan(0);
  }

  @Test
  void nlvrLabelsAreTheTruthOfTheStatements() {
    ShapesGenerator g = new ShapesGenerator(CONFIG);
    List<String> numbers = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight");
    for (String split : List.of("nlvr_train", "nlvr_test")) {
      int si = ShapesGenerator.SPLITS.indexOf(ShapesGenerator.SPLITS.stream().filter(x -> x.name().equals(split)).findFirst().get());
      for (JsonNode rec : read(split + ".json")) {
        int item = Integer.parseInt(rec.get("images").get(0).asText().replaceAll(".*/(\\d+)_0\\.png", "$1"));
        Scene left = g.scene(si, item, 0);
        Scene right = g.scene(si, item, 1);
        String text = rec.get("sentence").asText();
        List<CaptionChecker.Phrase> ps = CaptionChecker.phrases(text);
        boolean inL = !ps.isEmpty() && left.objects().stream().anyMatch(ps.get(0)::fits);
        boolean inR = !ps.isEmpty() && right.objects().stream().anyMatch(ps.get(0)::fits);
        boolean truth;
        if (text.startsWith("both images contain ")) {
          truth = inL && inR;
        } else if (text.startsWith("the left image contains ")) {
          truth = inL;
        } else if (text.startsWith("the right image contains ")) {
          truth = inR;
        } else if (text.startsWith("exactly one image contains ")) {
          truth = inL != inR;
        } else if (text.endsWith(" shapes in total")) {
          truth = numbers.indexOf(text.split(" ")[2]) == left.objects().size() + right.objects().size();
        } else if (text.equals("the left image has more shapes than the right image")) {
          truth = left.objects().size() > right.objects().size();
        } else {
          throw new AssertionError("unknown statement " + text);
        }
        assertThat(rec.get("label").asText()).as(text).isEqualTo(truth ? "True" : "False");
      }
    }
  }

  @Test
  void preTrainingSplitsAreAlsoWebDatasetShardsThatTheShardReaderReads() throws IOException {
    for (String split : new String[] {"human_train", "web_train"}) {
      com.fasterxml.jackson.databind.JsonNode records = new com.fasterxml.jackson.databind.ObjectMapper().readTree(world.resolve(split + ".json").toFile());
      org.blip4j.data.BadSampleCounter bad = new org.blip4j.data.BadSampleCounter();
      java.util.List<org.blip4j.data.Sample> samples = new java.util.ArrayList<>();
      try (org.blip4j.data.ShardReader r = org.blip4j.data.ShardReader.openDirectory(world.resolve("shards").resolve(split),
          org.blip4j.data.ReadOptions.of(world.resolve("images"), bad))) {
        r.forEachRemaining(samples::add);
      }
      assertThat(samples).hasSize(records.size());
      for (int i = 0; i < samples.size(); i++) {
        assertThat(samples.get(i).captions()).containsExactly(records.get(i).get("caption").asText());
        byte[] png = java.nio.file.Files.readAllBytes(world.resolve("images").resolve(records.get(i).get("image").asText()));
        assertThat(samples.get(i).image().readBytes()).isEqualTo(png);
      }
    }
  }

  @Test
  void everyAnnotationSplitIsReadByTheDatasetReadersWithoutABadSample() throws IOException {
    for (String split : new String[] {"human_train", "web_train", "test", "val", "zs_test", "vqa_train", "vqa_test", "nlvr_train", "nlvr_test"}) {
      int expected = new com.fasterxml.jackson.databind.ObjectMapper().readTree(world.resolve(split + ".json").toFile()).size();
      org.blip4j.data.BadSampleCounter bad = new org.blip4j.data.BadSampleCounter();
      int n = 0;
      try (org.blip4j.data.SampleIterator it = org.blip4j.data.SampleReaders.open(world.resolve(split + ".json"),
          org.blip4j.data.ReadOptions.of(world.resolve("images"), bad))) {
        while (it.hasNext()) {
          org.blip4j.data.Sample s = it.next();
          assertThat(s.captions()).as(split).isNotEmpty();
          n++;
        }
      }
      assertThat(bad.total()).as("bad samples in %s", split).isZero();
      assertThat(n).as(split).isEqualTo(expected);
    }
  }
}
