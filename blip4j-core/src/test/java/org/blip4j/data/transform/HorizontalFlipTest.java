package org.blip4j.data.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.blip4j.image.RgbImage;
import org.junit.jupiter.api.Test;

class HorizontalFlipTest {

  private static RgbImage img3x2() {
    // row 0: (1,2,3) (4,5,6) (7,8,9); row 1: (10,11,12) (13,14,15) (16,17,18)
    byte[] px = new byte[18];
    for (int i = 0; i < 18; i++) {
      px[i] = (byte) (i + 1);
    }
    return new RgbImage(3, 2, px);
  }

  @Test
  void swapsLeftAndRightWords() {
    assertThat(HorizontalFlip.swapLeftRight("a red circle to the left of a blue square"))
        .isEqualTo("a red circle to the right of a blue square");
    assertThat(HorizontalFlip.swapLeftRight("a cat on the left and a dog on the right"))
        .isEqualTo("a cat on the right and a dog on the left");
    assertThat(HorizontalFlip.swapLeftRight("Left of the tree, the leftmost ball"))
        .isEqualTo("Right of the tree, the rightmost ball");
    assertThat(HorizontalFlip.swapLeftRight("RIGHT side")).isEqualTo("LEFT side");
    assertThat(HorizontalFlip.swapLeftRight("a bright light, leftover paint"))
        .isEqualTo("a bright light, leftover paint");
    assertThat(HorizontalFlip.mentionsLeftRight("a bright light")).isFalse();
    assertThat(HorizontalFlip.mentionsLeftRight("the square is right of the star")).isTrue();
  }

  @Test
  void mirrorsPixelsExactly() {
    RgbImage m = HorizontalFlip.mirror(img3x2());
    assertThat(m.rgb()).containsExactly(
        7, 8, 9, 4, 5, 6, 1, 2, 3,
        16, 17, 18, 13, 14, 15, 10, 11, 12);
  }

  @Test
  void swapPolicyFlipsImageAndCaption() {
    HorizontalFlip.Result r = new HorizontalFlip(1.0, FlipPolicy.SWAP)
        .apply(img3x2(), "a ball to the left of a box", new SplittableRandom(1));
    assertThat(r.flipped()).isTrue();
    assertThat(r.image()).isEqualTo(HorizontalFlip.mirror(img3x2()));
    assertThat(r.caption()).isEqualTo("a ball to the right of a box");
  }

  @Test
  void skipPolicyKeepsLeftRightCaptionsUnflippedButFlipsOthers() {
    HorizontalFlip skip = new HorizontalFlip(1.0, FlipPolicy.SKIP);
    HorizontalFlip.Result r = skip.apply(img3x2(), "a ball on the right", new SplittableRandom(1));
    assertThat(r.flipped()).isFalse();
    assertThat(r.image()).isEqualTo(img3x2());
    assertThat(r.caption()).isEqualTo("a ball on the right");
    HorizontalFlip.Result free = skip.apply(img3x2(), "two red balls", new SplittableRandom(1));
    assertThat(free.flipped()).isTrue();
    assertThat(free.image()).isEqualTo(HorizontalFlip.mirror(img3x2()));
    assertThat(free.caption()).isEqualTo("two red balls");
  }

  @Test
  void flipsAboutHalfTheTimeWithBlipProbability() {
    HorizontalFlip flip = new HorizontalFlip();
    SplittableRandom rnd = new SplittableRandom(5);
    int flipped = 0;
    for (int i = 0; i < 4000; i++) {
      if (flip.apply(img3x2(), "a ball", rnd).flipped()) {
        flipped++;
      }
    }
    assertThat(flipped).isBetween(1800, 2200);
    assertThat(new HorizontalFlip(0.0, FlipPolicy.SWAP).apply(img3x2(), "x", rnd).flipped()).isFalse();
  }
}
