package org.blip4j.data.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.blip4j.image.ImagePreprocessor;
import org.blip4j.image.RgbImage;
import org.junit.jupiter.api.Test;

class TrainTransformTest {

  private static RgbImage image(int w, int h) {
    byte[] px = new byte[3 * w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = 3 * (y * w + x);
        px[i] = (byte) (x * 255 / (w - 1)); // left dark, right bright
        px[i + 1] = (byte) (y * 255 / (h - 1));
        px[i + 2] = (byte) ((x + y) % 256);
      }
    }
    return new RgbImage(w, h, px);
  }

  @Test
  void outputHasChwShapeAndNormalisedRange() {
    TrainTransform t = new TrainTransform(48);
    RgbImage img = image(80, 60);
    for (int i = 0; i < 20; i++) {
      TrainTransform.Output out = t.apply(img, "a gradient", 1, 0, i);
      assertThat(out.pixels()).hasSize(3 * 48 * 48);
      for (int c = 0; c < 3; c++) {
        double lo = (0 - ImagePreprocessor.CLIP_MEAN[c]) / ImagePreprocessor.CLIP_STD[c];
        double hi = (1 - ImagePreprocessor.CLIP_MEAN[c]) / ImagePreprocessor.CLIP_STD[c];
        for (int k = c * 48 * 48; k < (c + 1) * 48 * 48; k++) {
          assertThat((double) out.pixels()[k]).isBetween(lo - 1e-5, hi + 1e-5);
        }
      }
    }
  }

  @Test
  void pixelsAreTheNormalisedAugmentedImage() {
    TrainTransform t = new TrainTransform(32);
    RgbImage img = image(50, 40);
    HorizontalFlip.Result r = t.augmentImage(img, "x", TrainTransform.random(3, 1, 7));
    assertThat(r.image().width()).isEqualTo(32);
    float[] expected = new ImagePreprocessor(32).pixelValues(r.image());
    assertThat(t.apply(img, "x", 3, 1, 7).pixels()).containsExactly(expected);
  }

  @Test
  void reproducibleForSeedEpochIndexAndDifferentOtherwise() {
    TrainTransform t = new TrainTransform(32);
    RgbImage img = image(64, 48);
    float[] a = t.apply(img, "c", 5, 2, 9).pixels();
    assertThat(t.apply(img, "c", 5, 2, 9).pixels()).containsExactly(a);
    assertThat(t.apply(img, "c", 6, 2, 9).pixels()).isNotEqualTo(a);
    assertThat(t.apply(img, "c", 5, 3, 9).pixels()).isNotEqualTo(a);
    assertThat(t.apply(img, "c", 5, 2, 10).pixels()).isNotEqualTo(a);
    // the stream of a sample does not depend on which samples ran before it
    t.apply(img, "c", 5, 2, 1);
    assertThat(t.apply(img, "c", 5, 2, 9).pixels()).containsExactly(a);
  }

  @Test
  void captionsFollowTheFlip() {
    RgbImage img = image(40, 40);
    TrainTransform swap = new TrainTransform(24);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      HorizontalFlip.Result r = swap.augmentImage(img, "a box on the left", TrainTransform.random(0, 0, i));
      assertThat(r.caption()).isEqualTo(r.flipped() ? "a box on the right" : "a box on the left");
      seen.add(r.caption());
    }
    assertThat(seen).hasSize(2);
    TrainTransform skip = new TrainTransform(24, 0.5, FlipPolicy.SKIP, RandAugment.blip());
    for (int i = 0; i < 40; i++) {
      HorizontalFlip.Result r = skip.augmentImage(img, "a box on the left", TrainTransform.random(0, 0, i));
      assertThat(r.flipped()).isFalse();
      assertThat(r.caption()).isEqualTo("a box on the left");
    }
  }

  @Test
  void randomStreamsDifferAcrossSamples() {
    Set<Long> firsts = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      firsts.add(TrainTransform.random(1, 0, i).nextLong());
    }
    assertThat(firsts).hasSize(100);
    assertThat(new SplittableRandom(0).nextLong()).isNotEqualTo(TrainTransform.random(0, 0, 0).nextLong());
  }
}
