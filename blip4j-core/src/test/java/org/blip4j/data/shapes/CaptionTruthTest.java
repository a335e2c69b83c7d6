package org.blip4j.data.shapes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.blip4j.data.shapes.Captions.Style;
import org.blip4j.data.shapes.Captions.WebKind;
import org.junit.jupiter.api.Test;

/** Every caption is re-read by {@link CaptionChecker} and checked against its scene graph. */
class CaptionTruthTest {
  private static final int IMAGES = 1500;

  private static List<Scene> scenes(int size) {
    List<Scene> out = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(42);
    for (int i = 0; i < IMAGES; i++) {
      out.add(Scene.sample(r.split(), size));
    }
    return out;
  }

  @Test
  void everyHumanAndHeldOutCaptionIsTrue() {
    List<Scene> scenes = scenes(64);
    SplittableRandom r = new SplittableRandom(7);
    Set<String> templatesSeen = new HashSet<>();
    int checked = 0;
    for (Scene s : scenes) {
      for (Style style : List.of(Style.HUMAN, Style.HELD_OUT)) {
        List<String> caps = Captions.captions(s, style, 5, r);
        assertThat(caps).hasSize(5);
        for (String c : caps) {
          assertThat(CaptionChecker.truth(c, s)).as("%s caption '%s' of %s", style, c, s.objects()).isTrue();
          templatesSeen.add(c.replaceAll("(red|green|blue|yellow|purple|orange|cyan|white|small|large|one|two|three|four)", "")
              .replaceAll("(circle|square|triangle|diamond|star|cross)(es|s)?", ""));
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(IMAGES * 10);
    // the templates are varied, relations/counts/positions are all present
    assertThat(templatesSeen.size()).isGreaterThan(20);
  }

  @Test
  void heldOutTemplatesNeverAppearInHumanCaptions() {
    SplittableRandom r = new SplittableRandom(3);
    List<String> heldOutMarkers = List.of("an image showing", "a rendering of", "together with", "as well as", "is placed",
        "one can see", "exactly", "a scene containing", "located", "an image with");
    for (Scene s : scenes(64).subList(0, 500)) {
      for (String c : Captions.captions(s, Style.HUMAN, 5, r)) {
        for (String m : heldOutMarkers) {
          assertThat(c).doesNotContain(m);
        }
      }
    }
  }

  @Test
  void captionKindsAllOccur() {
    SplittableRandom r = new SplittableRandom(5);
    boolean rel = false;
    boolean pos = false;
    boolean count = false;
    boolean and = false;
    for (Scene s : scenes(64).subList(0, 500)) {
      for (String c : Captions.captions(s, Style.HUMAN, 5, r)) {
        rel |= c.contains("to the left of") || c.contains("above") || c.contains("below") || c.contains("to the right of");
        pos |= c.contains("at the top") || c.contains("on the left") || c.contains("at the bottom") || c.contains("on the right");
        count |= c.matches(".*\\b(two|three|four) \\w+ \\w+s\\b.*");
        and |= c.contains(" and ");
      }
    }
    assertThat(List.of(rel, pos, count, and)).containsOnly(true);
  }

  @Test
  void cleanWebIsTrueAndTheNoisyKindsAreFalse() {
    List<Scene> scenes = scenes(64);
    SplittableRandom r = new SplittableRandom(11);
    Map<WebKind, Integer> seen = new EnumMap<>(WebKind.class);
    for (int i = 0; i < scenes.size(); i++) {
      Scene s = scenes.get(i);
      int at = i;
      int[] used = {-1};
      for (WebKind k : WebKind.values()) {
        String c = Captions.web(s, k, j -> scenes.get(used[0] = (at + 1 + j) % scenes.size()), r);
        Scene other = used[0] >= 0 ? scenes.get(used[0]) : null;
        seen.merge(k, 1, Integer::sum);
        switch (k) {
          case CLEAN_WEB -> assertThat(CaptionChecker.truth(c, s)).as("clean_web '%s' of %s", c, s.objects()).isTrue();
          case WRONG_ATTR -> assertThat(CaptionChecker.truth(c, s)).as("%s '%s' of %s", k, c, s.objects()).isFalse();
          case MISMATCH -> {
            assertThat(CaptionChecker.truth(c, s)).as("%s '%s' of %s", k, c, s.objects()).isFalse();
            assertThat(CaptionChecker.truth(c, other)).as("mismatch '%s' describes the other image %s", c, other.objects()).isTrue();
          }
          case UNRELATED -> assertThat(CaptionChecker.mentionsVocabulary(c)).as("unrelated '%s'", c).isFalse();
        }
      }
    }
    assertThat(seen.values()).containsOnly(IMAGES);
  }

  @Test
  void theCheckerRejectsFalseCaptions() {
    // guards the guard: a checker that always says "true" would make the tests above vacuous
    Scene s = new Scene(64, List.of(
        new SceneObject(Vocabulary.Shape.CIRCLE, Vocabulary.Color.RED, Vocabulary.Size.SMALL, 10, 10, 5, 0xFF0000),
        new SceneObject(Vocabulary.Shape.STAR, Vocabulary.Color.BLUE, Vocabulary.Size.LARGE, 45, 45, 12, 0x0000FF)),
        new Scene.Background(0x202020, 0x303030, true, 4, 1));
    assertThat(CaptionChecker.truth("a small red circle to the left of a blue star", s)).isTrue();
    assertThat(CaptionChecker.truth("a red circle to the right of a blue star", s)).isFalse();
    assertThat(CaptionChecker.truth("a large red circle", s)).isFalse();
    assertThat(CaptionChecker.truth("there are two shapes", s)).isTrue();
    assertThat(CaptionChecker.truth("there are three shapes", s)).isFalse();
    assertThat(CaptionChecker.truth("two red circles", s)).isFalse();
    assertThat(CaptionChecker.truth("there is a blue star at the bottom", s)).isTrue();
    assertThat(CaptionChecker.truth("there is a blue star at the top", s)).isFalse();
    assertThat(CaptionChecker.truth("a red circle and a green star", s)).isFalse();
  }
}
