package org.blip4j.data.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.blip4j.image.RgbImage;
import org.junit.jupiter.api.Test;

class RandomResizedCropTest {

  @Test
  void boxesStayWithinScaleAndRatioBoundsAndCoverTheRange() {
    RandomResizedCrop crop = new RandomResizedCrop(64);
    SplittableRandom rnd = new SplittableRandom(7);
    int w = 400;
    int h = 300;
    double minFrac = 2;
    double maxFrac = 0;
    double minRatio = 9;
    double maxRatio = 0;
    for (int i = 0; i < 3000; i++) {
      RandomResizedCrop.Box b = crop.params(w, h, rnd);
      assertThat(b.x()).isGreaterThanOrEqualTo(0);
      assertThat(b.y()).isGreaterThanOrEqualTo(0);
      assertThat(b.x() + b.width()).isLessThanOrEqualTo(w);
      assertThat(b.y() + b.height()).isLessThanOrEqualTo(h);
      if (b.fallback()) {
        continue;
      }
      double frac = (double) b.width() * b.height() / (w * h);
      double ratio = (double) b.width() / b.height();
      // integer rounding of w and h moves area and ratio by < 1.5 %
      assertThat(frac).isBetween(0.5 * 0.985, 1.0 * 1.015);
      assertThat(ratio).isBetween(0.75 * 0.985, 4.0 / 3.0 * 1.015);
      minFrac = Math.min(minFrac, frac);
      maxFrac = Math.max(maxFrac, frac);
      minRatio = Math.min(minRatio, ratio);
      maxRatio = Math.max(maxRatio, ratio);
    }
    assertThat(minFrac).isLessThan(0.52);
    assertThat(maxFrac).isGreaterThan(0.9);
    assertThat(minRatio).isLessThan(0.78);
    assertThat(maxRatio).isGreaterThan(1.28);
  }

  @Test
  void impossibleAspectFallsBackToCentreCropClampedToMaxRatio() {
    RandomResizedCrop crop = new RandomResizedCrop(32);
    RandomResizedCrop.Box b = crop.params(1000, 10, new SplittableRandom(1));
    // every attempt needs h >= 61 > 10: centre crop, h = 10, w = round(10 * 4/3) = 13
    assertThat(b).isEqualTo(new RandomResizedCrop.Box(493, 0, 13, 10, true));
    RandomResizedCrop.Box tall = crop.params(10, 1000, new SplittableRandom(1));
    // w = 10, h = round(10 / 0.75) = 13
    assertThat(tall).isEqualTo(new RandomResizedCrop.Box(0, 493, 10, 13, true));
  }

  @Test
  void cropCopiesTheBoxAndApplyResizesToTheOutputSize() {
    byte[] px = new byte[4 * 3 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) i;
    }
    RgbImage img = new RgbImage(4, 3, px);
    RgbImage c = RandomResizedCrop.crop(img, new RandomResizedCrop.Box(1, 1, 2, 2, false));
    assertThat(c.width()).isEqualTo(2);
    assertThat(c.get(0, 0, 0)).isEqualTo(img.get(1, 1, 0));
    assertThat(c.get(1, 1, 2)).isEqualTo(img.get(2, 2, 2));
    RgbImage out = new RandomResizedCrop(24).apply(img, new SplittableRandom(3));
    assertThat(out.width()).isEqualTo(24);
    assertThat(out.height()).isEqualTo(24);
  }
}
