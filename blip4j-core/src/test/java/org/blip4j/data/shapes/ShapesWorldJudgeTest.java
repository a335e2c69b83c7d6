package org.blip4j.data.shapes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.blip4j.data.shapes.CaptionJudge.Judgement;
import org.blip4j.data.shapes.CaptionJudge.Verdict;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small generated world: {@link ShapesWorld} finds each image's scene (checked against the
 * rendered PNG bytes) and {@link CaptionJudge} judges every written caption against it.
 */
class ShapesWorldJudgeTest {
  private static final Logger LOG = LoggerFactory.getLogger(ShapesWorldJudgeTest.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** 2 000 web images, 60 % noisy: about 800 clean_web and 400 of each noisy kind. */
  private static final ShapesConfig CONFIG = new ShapesConfig(0.1, 0.6, 64, 5, 2);

  @TempDir static Path tmp;
  static Path dir;
  static ShapesWorld world;

  @BeforeAll
  static void generate() throws IOException {
    dir = tmp.resolve("world");
    new ShapesGenerator(CONFIG).generate(dir, ShapesProgressListener.none());
    world = ShapesWorld.open(dir);
  }

  private static JsonNode read(String name) throws IOException {
    return JSON.readTree(dir.resolve(name).toFile());
  }

  @Test
  void openReadsTheSettingsOfSummaryJson() {
    assertThat(world.config().seed()).isEqualTo(CONFIG.seed());
    assertThat(world.config().scale()).isEqualTo(CONFIG.scale());
    assertThat(world.config().noise()).isEqualTo(CONFIG.noise());
    assertThat(world.config().imageSize()).isEqualTo(CONFIG.imageSize());
  }

  @Test
  void regeneratedScenesAreTheRenderedOnes() throws IOException {
    List<String> paths = new ArrayList<>();
    for (String split : List.of("human_train", "web_train", "test", "val", "zs_test", "vqa_test", "dialog_test")) {
      JsonNode list = read(split + ".json");
      for (int i : new int[] {0, list.size() / 2, list.size() - 1}) {
        paths.add(list.get(i).get("image").asText());
      }
    }
    JsonNode nlvr = read("nlvr_test.json");
    nlvr.get(nlvr.size() - 1).get("images").forEach(p -> paths.add(p.asText()));
    JsonNode video = read("video_test.json").get(1).get("frames");
    paths.add(video.get(0).asText());
    paths.add(video.get(video.size() - 1).asText());
    paths.add("images/" + paths.get(0)); // the image root as a prefix
    for (String p : paths) {
      byte[] onDisk = Files.readAllBytes(world.imageFile(p));
      byte[] again = SceneRenderer.png(SceneRenderer.render(world.sceneOf(p)));
      assertThat(Arrays.equals(onDisk, again)).as("re-rendered scene of %s", p).isTrue();
    }
    // and the check can fail: a neighbour's scene does not render to these bytes
    byte[] first = Files.readAllBytes(world.imageFile("test/000000.png"));
    assertThat(Arrays.equals(first, SceneRenderer.png(SceneRenderer.render(world.sceneOf("test/000001.png"))))).isFalse();
    assertThat(Arrays.equals(first, SceneRenderer.png(SceneRenderer.render(world.sceneOf("val/000000.png"))))).isFalse();
  }

  @Test
  void pathsThatAreNotShapesImagesAreRejectedByName() {
    for (String bad : List.of("coco/000000.png", "test/0001.png", "test/000000.jpg", "test/999999.png", "nlvr_test/000000.png",
        "nlvr_test/000000_2.png", "test/000000_0.png", "video_test/000000/99.png", "video_test/000000.png", "")) {
      assertThatThrownBy(() -> world.sceneOf(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'").hasMessageContaining("not an image of the Shapes world");
    }
  }

  @Test
  void openFailsClearlyOnADirectoryThatIsNotAWorld(@TempDir Path empty) throws IOException {
    assertThatThrownBy(() -> ShapesWorld.open(empty)).isInstanceOf(NoSuchFileException.class).hasMessageContaining("summary.json");
    Files.writeString(empty.resolve("summary.json"), "{\"seed\": 1, \"scale\": 0.1, \"noise\": 0.4}");
    assertThatThrownBy(() -> ShapesWorld.open(empty)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("summary.json").hasMessageContaining("image_size");
  }

  @Test
  void everyHumanCaptionIsTrueAndFullyParsed() throws IOException {
    Map<String, Integer> judged = new TreeMap<>();
    for (String split : List.of("human_train", "test", "val", "zs_test", "dialog_test")) {
      for (JsonNode rec : read(split + ".json")) {
        Scene scene = world.sceneOf(rec.get("image").asText());
        JsonNode caps = rec.get("caption");
        for (JsonNode c : caps.isArray() ? caps : JSON.createArrayNode().add(caps)) {
          Judgement j = CaptionJudge.judge(c.asText(), scene);
          assertThat(j.verdict()).as("%s '%s' of %s: false %s", split, c.asText(), scene.objects(), j.falseClaims())
              .isEqualTo(Verdict.TRUE);
          assertThat(j.partial()).as("%s '%s' unparsed %s", split, c.asText(), j.parse().unparsed()).isFalse();
          judged.merge(split, 1, Integer::sum);
        }
      }
    }
    LOG.info("human captions judged TRUE (100 %): {}", judged);
    assertThat(judged.get("human_train")).isEqualTo(200 * 5);
    assertThat(judged.get("zs_test")).isEqualTo(100 * 5);
  }

  @Test
  void videoCaptionsHoldInEveryFrameAndMotionIsLeftUnjudged() throws IOException {
    int motion = 0;
    for (JsonNode rec : read("video_test.json")) {
      for (JsonNode c : rec.get("caption")) {
        for (JsonNode f : rec.get("frames")) {
          Judgement j = CaptionJudge.judge(c.asText(), world.sceneOf(f.asText()));
          assertThat(j.verdict()).as("'%s' at %s", c.asText(), f.asText()).isEqualTo(Verdict.TRUE);
          assertThat(j.partial()).isEqualTo(c.asText().contains(" moving "));
        }
        motion += c.asText().contains(" moving ") ? 1 : 0;
      }
    }
    assertThat(motion).isGreaterThan(0);
  }

  @Test
  void webCaptionsPerNoiseKind() throws IOException {
    Map<Captions.WebKind, Map<Verdict, Integer>> byKind = new EnumMap<>(Captions.WebKind.class);
    int partial = 0;
    for (JsonNode rec : read("web_train.json")) {
      Captions.WebKind kind = Arrays.stream(Captions.WebKind.values()).filter(k -> k.label.equals(rec.get("noise").asText()))
          .findFirst().orElseThrow();
      Judgement j = CaptionJudge.judge(rec.get("caption").asText(), world.sceneOf(rec.get("image").asText()));
      byKind.computeIfAbsent(kind, k -> new EnumMap<>(Verdict.class)).merge(j.verdict(), 1, Integer::sum);
      partial += j.partial() && kind != Captions.WebKind.UNRELATED ? 1 : 0;
    }
    LOG.info("web captions by noise kind -> verdicts: {}", byKind);
    assertThat(rate(byKind, Captions.WebKind.CLEAN_WEB, Verdict.TRUE)).isGreaterThanOrEqualTo(0.99);
    assertThat(rate(byKind, Captions.WebKind.UNRELATED, Verdict.UNPARSEABLE)).isEqualTo(1.0);
    assertThat(rate(byKind, Captions.WebKind.WRONG_ATTR, Verdict.FALSE)).isGreaterThanOrEqualTo(0.95);
    assertThat(rate(byKind, Captions.WebKind.MISMATCH, Verdict.FALSE)).isGreaterThanOrEqualTo(0.80);
    assertThat(partial).as("web captions with unparsed words").isZero();
    for (Captions.WebKind k : Captions.WebKind.values()) {
      assertThat(byKind.get(k).values().stream().mapToInt(Integer::intValue).sum()).as(k.label).isGreaterThan(300);
    }
  }

  private static double rate(Map<Captions.WebKind, Map<Verdict, Integer>> byKind, Captions.WebKind k, Verdict v) {
    Map<Verdict, Integer> m = byKind.get(k);
    int all = m.values().stream().mapToInt(Integer::intValue).sum();
    double r = m.getOrDefault(v, 0) / (double) all;
    LOG.info("{}: {} {} of {} = {}", k.label, v, m.getOrDefault(v, 0), all, String.format(java.util.Locale.ROOT, "%.4f", r));
    return r;
  }
}
