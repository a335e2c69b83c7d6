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
 * The NLVR pair transform: deterministic per (seed, epoch, index); image 0 stays image 0; each image
 * is flipped on its own draw; the sentence (whose left/right name the images of the pair) is never
 * rewritten.
 */
class NlvrPairTransformTest {
  static final String SENTENCE = "the left image contains a red circle";

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

  static final int[] RED = {230, 20, 20};
  static final int[] BLUE = {20, 20, 230};
  static final int[] GREEN = {20, 220, 20};

  final NlvrPairTransform pairs = new NlvrPairTransform(new TrainTransform(32, 0.9, FlipPolicy.SWAP, new RandAugment(0, 0, RandAugment.BLIP_OPS, false)),
      new ImageDecoder());

  @Test
  void deterministicOrderKeptSentenceUntouchedFlipsIndependent() {
    RgbImage redLeft = halves(RED, GREEN);
    RgbImage blueLeft = halves(BLUE, GREEN);
    int flipped0 = 0;
    int flipped1 = 0;
    int differentFlips = 0;
    for (int i = 0; i < 40; i++) {
      NlvrPairTransform.Output a = pairs.apply(redLeft, blueLeft, SENTENCE, true, TrainTransform.random(1, 0, i));
      NlvrPairTransform.Output b = pairs.apply(redLeft, blueLeft, SENTENCE, true, TrainTransform.random(1, 0, i));
      assertThat(a.image0()).isEqualTo(b.image0());
      assertThat(a.image1()).isEqualTo(b.image1());
      assertThat(a.sentence()).isEqualTo(SENTENCE);
      assertThat(a.label()).isTrue();
      // image 0 is the red/green one, image 1 the blue/green one: never swapped
      assertThat(leftMean(a.image0(), 2)).as("image 0 has no blue (pair %d)", i).isLessThan(0);
      assertThat(leftMean(a.image1(), 0)).as("image 1 has no red (pair %d)", i).isLessThan(0);
      boolean f0 = leftMean(a.image0(), 1) > leftMean(a.image0(), 0); // green on the left: mirrored
      boolean f1 = leftMean(a.image1(), 1) > leftMean(a.image1(), 2);
      flipped0 += f0 ? 1 : 0;
      flipped1 += f1 ? 1 : 0;
      differentFlips += f0 != f1 ? 1 : 0;
    }
    assertThat(flipped0).as("image 0 flips sometimes").isBetween(8, 32);
    assertThat(flipped1).as("image 1 flips sometimes").isBetween(8, 32);
    assertThat(differentFlips).as("the two images draw their flips independently").isPositive();
  }

  @Test
  void nonNlvrSamplesAreRefusedNamingTheKey() {
    Sample caption = new Sample("img#3", new ImageRef.Bytes("a.png", new byte[0], "x"), List.of("a cat"), Map.of());
    assertThat(NlvrPairTransform.isNlvr(caption)).isFalse();
    assertThatThrownBy(() -> pairs.apply(caption, TrainTransform.random(1, 0, 0))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("img#3").hasMessageContaining("not an NLVR record");
  }
}
