package org.blip4j.data.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.blip4j.data.ImageRef;
import org.blip4j.data.Sample;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.RgbImage;
import org.junit.jupiter.api.Test;

/**
 * The NLVR pair transform: deterministic per (seed, epoch, index); each image is flipped on its own
 * draw; about half of the pairs change places, and exactly those have "left" and "right" exchanged in
 * their {@code pre_caption}ed sentence (whose left/right name the images of the pair), as
 * {@code nlvr_dataset.py}.
 */
class NlvrPairTransformTest {
  static final String SENTENCE = "The LEFT image contains a red circle, and the right one doesn't.";
  static final String CLEANED = "the left image contains a red circle, and the right one doesn't";
  static final String SWAPPED = "the right image contains a red circle, and the left one doesn't";

  /** 32×32, left half {@code a}, right half {@code b}. */
  static RgbImage halves(int[] a, int[] b) {
    byte[] px = new byte[32 * 32 * 3];
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        int[] c = x < 16 ? a : b;
        for (int k = 0; k < 3; k++) {
          px[(y * 32 + x) * 3 + k] = (byte) c[k];
        }
      }
    }
    return new RgbImage(32, 32, px);
  }

  /** Mean of channel {@code c} over the left half of CHW pixels of side 32. */
  static double leftMean(float[] chw, int c) {
    double s = 0;
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 16; x++) {
        s += chw[c * 1024 + y * 32 + x];
      }
    }
    return s / (32 * 16);
  }

  /** Mean of channel {@code c} of CHW pixels of side 32. */
  static double mean(float[] chw, int c) {
    double s = 0;
    for (int i = 0; i < 1024; i++) {
      s += chw[c * 1024 + i];
    }
    return s / 1024;
  }

  static final int[] RED = {230, 20, 20};
  static final int[] BLUE = {20, 20, 230};
  static final int[] GREEN = {20, 220, 20};

  final NlvrPairTransform pairs = new NlvrPairTransform(new TrainTransform(32, 0.9, FlipPolicy.SWAP, new RandAugment(0, 0, RandAugment.BLIP_OPS, false)),
      new ImageDecoder());

  @Test
  void pairsSwapWithTheirLeftRightWordsAndFlipIndependently() {
    RgbImage redLeft = halves(RED, GREEN);
    RgbImage blueLeft = halves(BLUE, GREEN);
    int swapped = 0;
    int flipped0 = 0;
    int flipped1 = 0;
    int differentFlips = 0;
    for (int i = 0; i < 60; i++) {
      NlvrPairTransform.Output a = pairs.apply(redLeft, blueLeft, SENTENCE, true, TrainTransform.random(1, 0, i));
      NlvrPairTransform.Output b = pairs.apply(redLeft, blueLeft, SENTENCE, true, TrainTransform.random(1, 0, i));
      assertThat(a.image0()).isEqualTo(b.image0());
      assertThat(a.image1()).isEqualTo(b.image1());
      assertThat(a.sentence()).isEqualTo(b.sentence());
      assertThat(a.label()).isTrue();
      // the red/green image is either image 0 (sentence as written) or image 1 (left/right exchanged)
      boolean redFirst = mean(a.image0(), 0) > mean(a.image1(), 0);
      assertThat(a.sentence()).as("pair %d", i).isEqualTo(redFirst ? CLEANED : SWAPPED);
      swapped += redFirst ? 0 : 1;
      float[] red = redFirst ? a.image0() : a.image1();
      float[] blue = redFirst ? a.image1() : a.image0();
      boolean f0 = leftMean(red, 1) > leftMean(red, 0); // green on the left: mirrored
      boolean f1 = leftMean(blue, 1) > leftMean(blue, 2);
      flipped0 += f0 ? 1 : 0;
      flipped1 += f1 ? 1 : 0;
      differentFlips += f0 != f1 ? 1 : 0;
    }
    assertThat(swapped).as("about half of the pairs change places").isBetween(15, 45);
    assertThat(flipped0).as("image 0 flips sometimes").isBetween(12, 48);
    assertThat(flipped1).as("image 1 flips sometimes").isBetween(12, 48);
    assertThat(differentFlips).as("the two images draw their flips independently").isPositive();
  }

  @Test
  void onlyWholeWordsLeftAndRightAreExchanged() {
    assertThat(NlvrPairTransform.swapLeftRight("the left image has more shapes than the right image"))
        .isEqualTo("the right image has more shapes than the left image");
    assertThat(NlvrPairTransform.swapLeftRight("both images contain a blue square")).isEqualTo("both images contain a blue square");
    assertThat(NlvrPairTransform.swapLeftRight("leftmost, rightward  left")).isEqualTo("leftmost, rightward  right");
  }

  @Test
  void nonNlvrSamplesAreRefusedNamingTheKey() {
    Sample caption = new Sample("img#3", new ImageRef.Bytes("a.png", new byte[0], "x"), List.of("a cat"), Map.of());
    assertThat(NlvrPairTransform.isNlvr(caption)).isFalse();
    assertThatThrownBy(() -> pairs.apply(caption, TrainTransform.random(1, 0, 0))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("img#3").hasMessageContaining("not an NLVR record");
  }
}
