package org.blip4j.data.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.blip4j.image.RgbImage;
import org.junit.jupiter.api.Test;

class RandAugmentTest {

  /** A grey image (r = g = b) from rows of values. */
  private static RgbImage grey(int[][] rows) {
    int h = rows.length;
    int w = rows[0].length;
    byte[] px = new byte[3 * w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          px[3 * (y * w + x) + c] = (byte) rows[y][x];
        }
      }
    }
    return new RgbImage(w, h, px);
  }

  /** Channel c of the image as rows. */
  private static int[][] channel(RgbImage img, int c) {
    int[][] out = new int[img.height()][img.width()];
    for (int y = 0; y < img.height(); y++) {
      for (int x = 0; x < img.width(); x++) {
        out[y][x] = img.get(x, y, c);
      }
    }
    return out;
  }

  private static RgbImage noise(int w, int h, long seed) {
    byte[] px = new byte[3 * w * h];
    new SplittableRandom(seed).nextBytes(px);
    return new RgbImage(w, h, px);
  }

  @Test
  void identityKeepsPixels() {
    RgbImage img = noise(5, 4, 1);
    assertThat(RandAugment.identity(img)).isEqualTo(img);
    assertThat(RandAugment.blip().applyOp(img, RandAugment.Op.IDENTITY, new SplittableRandom(1)))
        .isEqualTo(img);
  }

  @Test
  void equalizeMatchesHandComputedTable() {
    // 32x32: 512 px of 50, 256 of 100, 256 of 200 in R and B; G constant 77.
    // step = (512 + 256) // 255 = 3; lut[v] = (1 + #pixels below v) // 3, clipped to 255:
    // 50 -> 1 // 3 = 0, 100 -> 513 // 3 = 171, 200 -> 769 // 3 = 256 -> 255. G: one bin -> step 0 -> unchanged.
    byte[] px = new byte[32 * 32 * 3];
    for (int i = 0; i < 1024; i++) {
      int v = i < 512 ? 50 : i < 768 ? 100 : 200;
      px[3 * i] = (byte) v;
      px[3 * i + 1] = 77;
      px[3 * i + 2] = (byte) v;
    }
    RgbImage out = RandAugment.equalize(new RgbImage(32, 32, px));
    for (int i = 0; i < 1024; i++) {
      int expected = i < 512 ? 0 : i < 768 ? 171 : 255;
      assertThat(out.rgb()[3 * i] & 0xFF).isEqualTo(expected);
      assertThat(out.rgb()[3 * i + 1] & 0xFF).isEqualTo(77);
      assertThat(out.rgb()[3 * i + 2] & 0xFF).isEqualTo(expected);
    }
  }

  @Test
  void autoContrastStretchesEachChannel() {
    // R {0, 50, 100}: scale 2.55 (float64 2.5499999999999998): 0, 127, 254 (numpy truncation)
    // G {20, 60, 100}: scale 3.1875, offset -63.75: 0, 127, 255. B constant 9: unchanged.
    byte[] px = {0, 20, 9, 50, 60, 9, 100, 100, 9};
    RgbImage img = new RgbImage(3, 1, px);
    RgbImage out = RandAugment.autoContrast(img, false);
    assertThat(out.rgb()).containsExactly(0, 0, 9, 127, 127, 9, 254, (byte) 255, 9);
    // BLIP's numpy code: -uint8(20) wraps to 236, so the G table is >= 255 everywhere.
    RgbImage wrapped = RandAugment.autoContrast(img, true);
    assertThat(wrapped.rgb()).containsExactly(0, (byte) 255, 9, 127, (byte) 255, 9, 254, (byte) 255, 9);
  }

  @Test
  void brightnessScalesAndTruncates() {
    RgbImage img = grey(new int[][] {{0, 3, 100, 255}});
    assertThat(channel(RandAugment.brightness(img, 0.5), 1)).isEqualTo(new int[][] {{0, 1, 50, 127}});
    assertThat(channel(RandAugment.brightness(img, 1.9), 0)).isEqualTo(new int[][] {{0, 5, 190, 255}});
    // BLIP's magnitude 5 gives factor 5/10 * 1.8 + 0.1 = 1.0: brightness is the identity
    assertThat(RandAugment.blip().applyOp(img, RandAugment.Op.BRIGHTNESS, new SplittableRandom(1)))
        .isEqualTo(img);
    // magnitude 0 gives factor 0.1
    RandAugment m0 = new RandAugment(2, 0, RandAugment.BLIP_OPS, false);
    assertThat(channel(m0.applyOp(img, RandAugment.Op.BRIGHTNESS, new SplittableRandom(1)), 2))
        .isEqualTo(new int[][] {{0, 0, 10, 25}});
  }

  @Test
  void sharpnessBlendsInteriorWithSmoothedImage() {
    RgbImage img = grey(new int[][] {{0, 0, 0}, {0, 130, 0}, {0, 0, 0}});
    // smoothed centre = round(5 * 130 / 13) = 50; factor 0.5: 50 + 0.5 * (130 - 50) = 90
    assertThat(channel(RandAugment.sharpness(img, 0.5), 0))
        .isEqualTo(new int[][] {{0, 0, 0}, {0, 90, 0}, {0, 0, 0}});
    assertThat(RandAugment.sharpness(img, 1.0)).isEqualTo(img);
  }

  @Test
  void translateXByWholePixelsFillsWith128() {
    RgbImage img = grey(new int[][] {{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}});
    assertThat(channel(RandAugment.translateX(img, 2, 128), 0))
        .isEqualTo(new int[][] {{3, 4, 5, 128, 128}, {8, 9, 10, 128, 128}});
    assertThat(channel(RandAugment.translateX(img, -2, 128), 2))
        .isEqualTo(new int[][] {{128, 128, 1, 2, 3}, {128, 128, 6, 7, 8}});
    assertThat(channel(RandAugment.translateY(img, 1, 128), 1))
        .isEqualTo(new int[][] {{6, 7, 8, 9, 10}, {128, 128, 128, 128, 128}});
  }

  @Test
  void blipTranslateIsFivePixelsWithRandomSign() {
    RgbImage img = noise(8, 3, 4);
    RgbImage left = RandAugment.translateX(img, 5, 128);
    RgbImage right = RandAugment.translateX(img, -5, 128);
    SplittableRandom rnd = new SplittableRandom(9);
    int l = 0;
    int r = 0;
    for (int i = 0; i < 200; i++) {
      RgbImage out = RandAugment.blip().applyOp(img, RandAugment.Op.TRANSLATE_X, rnd);
      if (out.equals(left)) {
        l++;
      } else if (out.equals(right)) {
        r++;
      }
    }
    assertThat(l + r).isEqualTo(200);
    assertThat(l).isBetween(60, 140);
  }

  @Test
  void shearXInterpolatesHalfPixelsLikeOpenCvFixedPoint() {
    RgbImage img = grey(new int[][] {{1, 2, 3, 4}, {10, 20, 31, 40}, {5, 6, 7, 8}});
    // out(x, y) = in(x - 0.5 y, y); half-way weights give (a + b + 1) >> 1, outside reads 128
    assertThat(channel(RandAugment.shearX(img, 0.5, 128), 0)).isEqualTo(new int[][] {
        {1, 2, 3, 4}, {69, 15, 26, 36}, {128, 5, 6, 7}});
  }

  @Test
  void rotateNinetyDegreesCounterClockwiseAboutWOver2() {
    int[][] rows = new int[4][4];
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        rows[y][x] = 10 * y + x;
      }
    }
    // centre (2, 2): out(x, y) = in(4 - y, x), column 4 does not exist -> row 0 filled
    int[][] expected = new int[4][4];
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        expected[y][x] = y == 0 ? 128 : rows[x][4 - y];
      }
    }
    assertThat(channel(RandAugment.rotate(grey(rows), 90, 128), 0)).isEqualTo(expected);
    assertThat(RandAugment.rotate(grey(rows), 0, 128)).isEqualTo(grey(rows));
  }

  @Test
  void eachOpIsAppliedWithProbabilityHalf() {
    // two draws of TranslateX, each applied with p = 0.5: unchanged in 1/4 of the images
    RandAugment aug = new RandAugment(2, 5, List.of(RandAugment.Op.TRANSLATE_X), false);
    RgbImage img = noise(16, 16, 2);
    SplittableRandom rnd = new SplittableRandom(11);
    int unchanged = 0;
    for (int i = 0; i < 2000; i++) {
      if (aug.apply(img, rnd).equals(img)) {
        unchanged++;
      }
    }
    assertThat(unchanged).isBetween(430, 570);
  }

  @Test
  void sameSeedSameOutputOtherSeedDiffers() {
    RgbImage img = noise(24, 20, 3);
    RandAugment aug = RandAugment.blip();
    assertThat(aug.apply(img, new SplittableRandom(42))).isEqualTo(aug.apply(img, new SplittableRandom(42)));
    int differ = 0;
    for (long s = 0; s < 20; s++) {
      if (!aug.apply(img, new SplittableRandom(s)).equals(aug.apply(img, new SplittableRandom(s + 100)))) {
        differ++;
      }
    }
    assertThat(differ).isGreaterThan(5);
  }
}
