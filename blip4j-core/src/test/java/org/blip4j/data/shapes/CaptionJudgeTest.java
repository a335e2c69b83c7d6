package org.blip4j.data.shapes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.blip4j.data.shapes.CaptionJudge.Judgement;
import org.blip4j.data.shapes.CaptionJudge.Verdict;
import org.blip4j.data.shapes.Claim.Np;
import org.blip4j.data.shapes.Captions.Style;
import org.blip4j.data.shapes.Vocabulary.Color;
import org.blip4j.data.shapes.Vocabulary.Position;
import org.blip4j.data.shapes.Vocabulary.Relation;
import org.blip4j.data.shapes.Vocabulary.Shape;
import org.blip4j.data.shapes.Vocabulary.Size;
import org.junit.jupiter.api.Test;

/** The caption grammar on hand-written phrasings and on every template the generator has. */
class CaptionJudgeTest {
  /**
   * 96 px canvas: a small red circle top-left, a large blue star bottom-right, a small red circle
   * top-right, a small green square bottom-left.
   */
  static final Scene SCENE = new Scene(96, List.of(
      new SceneObject(Shape.CIRCLE, Color.RED, Size.SMALL, 15, 15, 6, 0xE02828),
      new SceneObject(Shape.STAR, Color.BLUE, Size.LARGE, 70, 70, 15, 0x2F5BFF),
      new SceneObject(Shape.CIRCLE, Color.RED, Size.SMALL, 80, 15, 6, 0xE02828),
      new SceneObject(Shape.SQUARE, Color.GREEN, Size.SMALL, 15, 80, 6, 0x2EC03A)),
      new Scene.Background(0x202020, 0x303030, true, 4, 1));

  private static Verdict v(String caption) {
    return CaptionJudge.judge(caption, SCENE).verdict();
  }

  @Test
  void countsAndPlurals() {
    assertThat(v("two red circles")).isEqualTo(Verdict.TRUE);
    assertThat(v("there are two red circles")).isEqualTo(Verdict.TRUE);
    assertThat(v("exactly two red circles are visible")).isEqualTo(Verdict.TRUE);
    assertThat(v("look, two red circles!")).isEqualTo(Verdict.TRUE);
    assertThat(v("a red circle")).isEqualTo(Verdict.TRUE);
    assertThat(v("three red circles")).isEqualTo(Verdict.FALSE);
    assertThat(v("one red circle")).as("one = exactly one").isEqualTo(Verdict.FALSE);
    assertThat(v("one green square")).isEqualTo(Verdict.TRUE);
    assertThat(v("two blue stars")).isEqualTo(Verdict.FALSE);
    assertThat(v("two red crosses")).isEqualTo(Verdict.FALSE);
    assertThat(v("zero red crosses")).isEqualTo(Verdict.TRUE);
    assertThat(CaptionJudge.parse("two purple crosses #art").claims()).containsExactly(new Claim.Count(2, Color.PURPLE, Shape.CROSS));
    // totals
    assertThat(v("four shapes")).isEqualTo(Verdict.TRUE);
    assertThat(v("there are four objects")).isEqualTo(Verdict.TRUE);
    assertThat(v("four objects on my desktop wallpaper")).isEqualTo(Verdict.TRUE);
    assertThat(v("a scene containing three objects")).isEqualTo(Verdict.FALSE);
    assertThat(v("there is one shape")).isEqualTo(Verdict.FALSE);
    // number agreement: no claim from a mis-agreed count
    assertThat(v("four shape")).isEqualTo(Verdict.UNPARSEABLE);
    assertThat(v("one shapes")).isEqualTo(Verdict.UNPARSEABLE);
    assertThat(v("a red circles")).isEqualTo(Verdict.UNPARSEABLE);
    assertThat(v("red circles")).isEqualTo(Verdict.UNPARSEABLE);
    // a sized count is not a claim of the vocabulary: left unparsed, never judged TRUE
    assertThat(v("two small red circles")).isEqualTo(Verdict.UNPARSEABLE);
    assertThat(CaptionJudge.parse("one small red circle").claims()).containsExactly(
        new Claim.Exists(new Np(Color.RED, Shape.CIRCLE, Size.SMALL)));
    assertThat(CaptionJudge.parse("one small red circle").unparsed()).containsExactly("one");
    Judgement garbled = CaptionJudge.judge("two red circle", SCENE);
    assertThat(garbled.verdict()).isEqualTo(Verdict.TRUE);
    assertThat(garbled.parse().unparsed()).containsExactly("two");
  }

  @Test
  void relations() {
    assertThat(v("a red circle to the left of a red circle")).isEqualTo(Verdict.TRUE);
    assertThat(v("a red circle to the right of a red circle")).isEqualTo(Verdict.TRUE);
    assertThat(v("a red circle above a green square")).isEqualTo(Verdict.TRUE);
    assertThat(v("a green square below a red circle")).isEqualTo(Verdict.TRUE);
    assertThat(v("a green square above a red circle")).isEqualTo(Verdict.FALSE);
    assertThat(v("a blue star to the right of a green square")).isEqualTo(Verdict.TRUE);
    assertThat(v("a green square to the right of a blue star")).isEqualTo(Verdict.FALSE);
    assertThat(v("a red circle to the left of a blue star")).isEqualTo(Verdict.TRUE);
    assertThat(v("a red circle to the right of a blue star")).as("boxes overlap in x").isEqualTo(Verdict.FALSE);
    assertThat(v("there is a large blue star below a small red circle")).isEqualTo(Verdict.TRUE);
    assertThat(v("a small blue star below a red circle")).as("wrong size").isEqualTo(Verdict.FALSE);
    assertThat(v("one can see a red circle to the left of a blue star")).isEqualTo(Verdict.TRUE);
    assertThat(v("a green square is placed below a red circle")).isEqualTo(Verdict.TRUE);
    assertThat(v("photo: a blue star to the left of a red circle")).isEqualTo(Verdict.FALSE);
    assertThat(v("a red circle above a green square lol")).isEqualTo(Verdict.TRUE);
    assertThat(CaptionJudge.parse("an orange star to the left of a large white cross").claims()).containsExactly(
        new Claim.Rel(new Np(Color.ORANGE, Shape.STAR, null), Relation.LEFT_OF, new Np(Color.WHITE, Shape.CROSS, Size.LARGE)));
    // a chain: the position attaches to the relation's object
    assertThat(CaptionJudge.parse("a red circle above a green square on the left").claims()).containsExactly(
        new Claim.Rel(new Np(Color.RED, Shape.CIRCLE, null), Relation.ABOVE, new Np(Color.GREEN, Shape.SQUARE, null)),
        new Claim.Pos(new Np(Color.GREEN, Shape.SQUARE, null), Position.LEFT));
    assertThat(v("a red circle above a green square on the left")).isEqualTo(Verdict.TRUE);
    assertThat(v("a red circle above a green square on the right")).isEqualTo(Verdict.FALSE);
    // a relation with no object is left over; the subject alone is judged
    Judgement dangling = CaptionJudge.judge("a red circle to the left of", SCENE);
    assertThat(dangling.parse().claims()).containsExactly(new Claim.Exists(new Np(Color.RED, Shape.CIRCLE, null)));
    assertThat(dangling.parse().unparsed()).containsExactly("to the left of");
  }

  @Test
  void positionsAndSizes() {
    assertThat(v("a blue star on the right")).isEqualTo(Verdict.TRUE);
    assertThat(v("a blue star at the bottom")).isEqualTo(Verdict.TRUE);
    assertThat(v("a blue star at the top")).isEqualTo(Verdict.FALSE);
    assertThat(v("a blue star located at the top")).isEqualTo(Verdict.FALSE);
    assertThat(v("an image with a green square on the left")).isEqualTo(Verdict.TRUE);
    assertThat(v("there is a small green square at the bottom")).isEqualTo(Verdict.TRUE);
    assertThat(v("a large green square at the bottom")).isEqualTo(Verdict.FALSE);
    assertThat(v("large blue star on the right wallpaper")).isEqualTo(Verdict.TRUE);
    assertThat(v("a large blue star")).isEqualTo(Verdict.TRUE);
    assertThat(v("a small blue star")).isEqualTo(Verdict.FALSE);
    assertThat(v("my small green square drawing")).isEqualTo(Verdict.TRUE);
    assertThat(v("free large red circle icon png")).isEqualTo(Verdict.FALSE);
  }

  @Test
  void andMeansTwoDifferentObjects() {
    assertThat(v("a red circle and a blue star")).isEqualTo(Verdict.TRUE);
    assertThat(v("a red circle and a red circle")).isEqualTo(Verdict.TRUE);
    assertThat(v("a blue star and a blue star")).as("only one blue star").isEqualTo(Verdict.FALSE);
    assertThat(v("a blue star and a large blue star")).isEqualTo(Verdict.FALSE);
    assertThat(v("a red circle and a yellow star")).isEqualTo(Verdict.FALSE);
    assertThat(v("red circle and yellow star clipart")).isEqualTo(Verdict.FALSE);
    assertThat(v("a scene with a green square as well as a blue star")).isEqualTo(Verdict.TRUE);
    assertThat(v("a green square together with a blue star")).isEqualTo(Verdict.TRUE);
    assertThat(v("a red circle, a green square and a blue star")).isEqualTo(Verdict.TRUE);
    Judgement j = CaptionJudge.judge("my drawing: a red circle and a purple diamond", SCENE);
    assertThat(j.verdict()).isEqualTo(Verdict.FALSE);
    assertThat(j.falseClaims()).containsExactly(
        new Claim.Both(new Np(Color.RED, Shape.CIRCLE, null), new Np(Color.PURPLE, Shape.DIAMOND, null)));
    // "and" between clauses that are not bare phrases: both judged, no Both claim
    assertThat(CaptionJudge.parse("a blue star at the bottom and two red circles").claims()).containsExactly(
        new Claim.Pos(new Np(Color.BLUE, Shape.STAR, null), Position.BOTTOM), new Claim.Count(2, Color.RED, Shape.CIRCLE));
    assertThat(CaptionJudge.parse("a blue star at the bottom and two red circles").partial()).isFalse();
  }

  @Test
  void partialParsesAreJudgedOnTheirClaimsAndSaySo() {
    Judgement j = CaptionJudge.judge("a red circle at the top sunset", SCENE);
    assertThat(j.verdict()).isEqualTo(Verdict.TRUE);
    assertThat(j.partial()).isTrue();
    assertThat(j.parse().unparsed()).containsExactly("sunset");
    Judgement f = CaptionJudge.judge("rainy day with a yellow star", SCENE);
    assertThat(f.verdict()).isEqualTo(Verdict.FALSE);
    assertThat(f.parse().unparsed()).containsExactly("rainy", "day");
    Judgement dangling = CaptionJudge.judge("a red circle and", SCENE);
    assertThat(dangling.parse().unparsed()).containsExactly("and");
    // decorations of the templates are not "unparsed"
    assertThat(CaptionJudge.parse("a picture of there is a red circle on a dark background").partial()).isFalse();
    assertThat(CaptionJudge.parse("a red circle - stock vector").partial()).isFalse();
  }

  @Test
  void garbageIsNeverTrue() {
    for (String g : List.of("", "   ", "a a a red", "red red red", "circle", "circles", "to the left of", "and and", "the the the",
        "two", "a red", "large", "small circle", "red large circle", "on the left", "above below", "#art!!", "there is",
        "a picture of", "[SEP]", "##s circle", "sunset over the lake")) {
      assertThat(v(g)).as("'%s'", g).isEqualTo(Verdict.UNPARSEABLE);
    }
    for (String g : List.of("a yellow star star star", "a a red circle and and a cyan cross", "white white cross cross")) {
      assertThat(v(g)).as("'%s'", g).isEqualTo(Verdict.FALSE);
    }
    // random word salad from the vocabulary: whenever it is TRUE, what was recognised is exact
    SplittableRandom r = new SplittableRandom(9);
    String[] words = "a an the one two three red blue green small large circle circles star square and above below to the left of on right at top bottom there is are shapes"
        .split(" ");
    int unparseable = 0;
    for (int i = 0; i < 2000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int k = 0, n = 1 + r.nextInt(6); k < n; k++) {
        sb.append(words[r.nextInt(words.length)]).append(' ');
      }
      Judgement j = CaptionJudge.judge(sb.toString(), SCENE);
      if (j.verdict() == Verdict.UNPARSEABLE) {
        unparseable++;
        assertThat(j.parse().claims()).isEmpty();
      } else {
        assertThat(j.parse().claims()).isNotEmpty();
        assertThat(j.verdict() == Verdict.TRUE).isEqualTo(j.parse().claims().stream().allMatch(SCENE::holds));
      }
    }
    assertThat(unparseable).isGreaterThan(1000);
  }

  @Test
  void everyTemplateOfEveryStyleParsesBackToExactlyTheClaimItRenders() {
    SplittableRandom r = new SplittableRandom(21);
    int n = 0;
    for (int i = 0; i < 3000; i++) {
      Scene s = Scene.sample(r.split(), 64);
      for (Style style : Style.values()) {
        Claim c = r.nextBoolean() ? Captions.trueClaim(s, r) : Captions.falseClaim(s, r);
        if (c == null) {
          continue;
        }
        String text = Captions.text(c, style, r);
        CaptionJudge.Parse p = CaptionJudge.parse(text);
        assertThat(p.claims()).as("%s '%s'", style, text).containsExactly(c);
        assertThat(p.unparsed()).as("%s '%s'", style, text).isEmpty();
        assertThat(CaptionJudge.judge(text, s).verdict()).as("%s '%s'", style, text)
            .isEqualTo(s.holds(c) ? Verdict.TRUE : Verdict.FALSE);
        n++;
      }
    }
    assertThat(n).isGreaterThan(6000);
  }

  @Test
  void theCaptionersPhrasingIsHumanStyleAfterThePrompt() {
    SplittableRandom r = new SplittableRandom(4);
    for (int i = 0; i < 500; i++) {
      Scene s = Scene.sample(r.split(), 64);
      for (String c : Captions.captions(s, Style.HUMAN, 5, r)) {
        String generated = "a picture of " + c; // what the captioner is trained to write
        String stripped = generated.substring("a picture of ".length());
        assertThat(CaptionJudge.judge(stripped, s).verdict()).as(stripped).isEqualTo(Verdict.TRUE);
        assertThat(CaptionJudge.judge(generated, s).verdict()).as(generated).isEqualTo(Verdict.TRUE);
        assertThat(CaptionJudge.judge(generated.toUpperCase(java.util.Locale.ROOT) + ".", s).verdict()).isEqualTo(Verdict.TRUE);
      }
    }
  }
}
