package org.blip4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ITM's negative mining: BLIP's hard negatives follow the contrastive similarity, random ones ignore
 * it; both skip pairs of the same image, and with the caption rule captions the data pairs with the image.
 */
class ITMTest {
  static final int B = 6;

  /** Similarities that make text (i+1) mod B overwhelmingly the hardest negative of image i (and vice versa). */
  static NDArray peaked(NDManager m) {
    float[] sim = new float[B * B];
    for (int i = 0; i < B; i++) {
      sim[i * B + (i + 1) % B] = 40f;
    }
    return m.create(sim, new Shape(B, B));
  }

  static int[][] counts(ITM.Mining mining, long[] ids, int rounds) {
    int[][] picked = new int[B][B];
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray sim = peaked(m);
      SplittableRandom rnd = new SplittableRandom(7);
      for (int r = 0; r < rounds; r++) {
        ITM.Negatives neg = ITM.sampleNegatives(mining, sim, sim, ITM.Paired.byImageId(ids), rnd);
        for (int i = 0; i < B; i++) {
          picked[i][(int) neg.textForImage()[i]]++;
        }
      }
    }
    return picked;
  }

  @Test
  void hardNegativesFollowTheSimilarity() {
    int[][] picked = counts(ITM.Mining.HARD, null, 500);
    for (int i = 0; i < B; i++) {
      assertThat(picked[i][(i + 1) % B]).as("image %d: hardest text picked", i).isEqualTo(500);
    }
  }

  @Test
  void randomNegativesIgnoreTheSimilarityAndSkipTheSameImage() {
    int rounds = 6000;
    long[] ids = {0, 0, 1, 2, 3, 4}; // texts 0 and 1 describe the same image
    int[][] picked = counts(ITM.Mining.RANDOM, ids, rounds);
    for (int i = 0; i < B; i++) {
      int candidates = 0;
      for (int j = 0; j < B; j++) {
        if (ids[j] == ids[i]) {
          assertThat(picked[i][j]).as("image %d paired with text %d of the same image", i, j).isZero();
        } else {
          candidates++;
        }
      }
      double expected = rounds / (double) candidates;
      for (int j = 0; j < B; j++) {
        if (ids[j] != ids[i]) {
          // binomial sd ≈ sqrt(6000·0.2·0.8) ≈ 31 for 5 candidates; 5 sd
          assertThat((double) picked[i][j]).as("image %d, text %d", i, j).isCloseTo(expected, org.assertj.core.data.Offset.offset(5 * Math.sqrt(expected)));
        }
      }
    }
  }

  @Test
  void aCaptionTheDataPairsWithAnImageIsNeverItsNegative() {
    // images 0..5; text 1 (image 1's) is also one of image 0's captions, text 3 one of image 2's
    long[] ids = {10, 11, 12, 13, 14, 15};
    List<String> captions = List.of("a red circle", "there is one shape", "a blue star", "two shapes", "a cross", "a square");
    Map<Long, Set<String>> captionsOfImage = Map.of(10L, Set.of("a red circle", "there is one shape"), 11L, Set.of("there is one shape"),
        12L, Set.of("a blue star", "two shapes"), 13L, Set.of("two shapes"));
    ITM.Paired paired = ITM.Paired.byImageIdAndCaption(ids, captions, captionsOfImage);
    assertThat(paired.test(0, 1)).isTrue();
    assertThat(paired.test(1, 0)).as("image 1 was never described as a red circle").isFalse();
    assertThat(paired.test(2, 3)).isTrue();
    assertThat(paired.test(0, 3)).isFalse();
    assertThat(paired.test(4, 4)).as("the pair itself").isTrue();
    assertThat(paired.test(4, 5)).isFalse();
    int[] textForImage0 = new int[B];
    int[] imageForText1 = new int[B];
    int[] imageForText3 = new int[B];
    long blipPick;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray sim = peaked(m); // text 1 is image 0's hardest negative, image 2 text 3's
      SplittableRandom rnd = new SplittableRandom(3);
      for (ITM.Mining mining : ITM.Mining.values()) {
        for (int r = 0; r < 2000; r++) {
          ITM.Negatives neg = ITM.sampleNegatives(mining, sim, sim, paired, rnd);
          textForImage0[(int) neg.textForImage()[0]]++;
          imageForText1[(int) neg.imageForText()[1]]++;
          imageForText3[(int) neg.imageForText()[3]]++;
        }
      }
      // BLIP's rule alone does draw image 0's own caption when image 1 brought it
      blipPick = ITM.sampleNegatives(ITM.Mining.HARD, sim, sim, ITM.Paired.byImageId(ids), new SplittableRandom(3)).textForImage()[0];
    }
    assertThat(textForImage0[0]).isZero();
    assertThat(textForImage0[1]).as("image 0's own caption, brought by image 1").isZero();
    assertThat(imageForText1[1]).isZero();
    assertThat(imageForText1[0]).as("an image the caption was also written for").isZero();
    assertThat(imageForText3[2]).as("an image the caption was also written for").isZero();
    assertThat(imageForText3[4]).as("text 3's negative images: the others").isPositive();
    assertThat(blipPick).isEqualTo(1);
  }

  @Test
  void configReadsTheCaptionRule(@TempDir Path dir) throws IOException {
    String base = "{\"datasets\": [{\"path\": \"a.json\", \"image_root\": \".\"}], \"queue_size\": 8, \"batch_size\": 4%s}";
    Path plain = Files.writeString(dir.resolve("plain.json"), base.formatted(""));
    Path on = Files.writeString(dir.resolve("on.json"), base.formatted(", \"itm_exclude_paired_captions\": true"));
    assertThat(PretrainConfig.read(plain).itmExcludePairedCaptions()).isFalse();
    assertThat(PretrainConfig.read(on).itmExcludePairedCaptions()).isTrue();
  }

  @Test
  void randomMiningIsSeeded() {
    long[] ids = {0, 1, 2, 3, 4, 5};
    assertThat(counts(ITM.Mining.RANDOM, ids, 50)).isDeepEqualTo(counts(ITM.Mining.RANDOM, ids, 50));
  }

  @Test
  void configReadsTheMining(@TempDir Path dir) throws IOException {
    String base = "{\"datasets\": [{\"path\": \"a.json\", \"image_root\": \".\"}], \"queue_size\": 8, \"batch_size\": 4%s}";
    Path plain = Files.writeString(dir.resolve("plain.json"), base.formatted(""));
    Path random = Files.writeString(dir.resolve("random.json"), base.formatted(", \"itm_negatives\": \"random\""));
    Path bad = Files.writeString(dir.resolve("bad.json"), base.formatted(", \"itm_negatives\": \"semi\""));
    assertThat(PretrainConfig.read(plain).itmMining()).isEqualTo(ITM.Mining.HARD);
    assertThat(PretrainConfig.read(random).itmMining()).isEqualTo(ITM.Mining.RANDOM);
    assertThatThrownBy(() -> PretrainConfig.read(bad)).hasMessageContaining("bad.json").hasMessageContaining("itm_negatives").hasMessageContaining("semi");
  }

  @Test
  void configNamesTheMining() {
    assertThat(ITM.Mining.of("hard")).isEqualTo(ITM.Mining.HARD);
    assertThat(ITM.Mining.of("random")).isEqualTo(ITM.Mining.RANDOM);
    assertThatThrownBy(() -> ITM.Mining.of("easy")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("itm_negatives").hasMessageContaining("easy");
  }
}
