package org.blip4j.reproduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.blip4j.eval.CaptionEvaluation;
import org.blip4j.eval.RetrievalEvaluation;
import org.junit.jupiter.api.Test;

class WorldTruthTest {
  // 3 images, 5 texts; texts 0, 1 written for image 0, text 2 for image 1, texts 3, 4 for image 2; each true of its own image.
  private static final int[] OWNER = {0, 0, 1, 2, 2};
  private static final boolean[][] TRUTH = {
      {true, true, true, false, false},
      {false, true, true, false, false},
      {true, false, false, true, true}};

  @Test
  void handComputedCase() {
    // true of how many images: t0 2, t1 2, t2 2, t3 1, t4 1.
    // text oracle: image 0's true texts t0 t1 t2 all tie at 2, own 2 of 3; image 1: t1 t2 tie, own 1 of 2; image 2: t3 t4 (1 each), both own.
    // image oracle: 1/2 + 1/2 + 1/2 + 1 + 1 over 5 texts.
    // ranked first: image 0 -> t2 (true, not own), image 1 -> t0 (false), image 2 -> t3 (own);
    // text 0 -> image 2 (true), 1 -> 1 (true), 2 -> 2 (false), 3 -> 2 (own), 4 -> 0 (false).
    WorldTruth w = WorldTruth.of(TRUTH, OWNER, new int[] {2, 0, 3}, new int[] {2, 1, 2, 2, 0});
    assertThat(w.textTrueAt1()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(w.imageTrueAt1()).isCloseTo(3.0 / 5, within(1e-12));
    assertThat(w.textOracleAt1()).isCloseTo((2.0 / 3 + 1.0 / 2 + 1) / 3, within(1e-12));
    assertThat(w.imageOracleAt1()).isCloseTo(3.5 / 5, within(1e-12));
  }

  @Test
  void judgesARetrievalResultWithImagePathsRelativeToTheRoot() {
    Path root = Path.of("/data/shapes/images");
    List<String> paths = List.of("test/000000.png", "test/000001.png", "test/000002.png");
    String[] captions = {"c0", "c1", "c2", "c3", "c4"};
    List<RetrievalEvaluation.ImageRanking> images = new ArrayList<>();
    int[] topText = {2, 0, 3};
    for (int i = 0; i < 3; i++) {
      images.add(new RetrievalEvaluation.ImageRanking(paths.get(i) + "#" + i, root.resolve(paths.get(i)).toString(), 0, new int[] {topText[i], 4}));
    }
    List<RetrievalEvaluation.TextRanking> texts = new ArrayList<>();
    int[] topImage = {2, 1, 2, 2, 0};
    for (int t = 0; t < 5; t++) {
      texts.add(new RetrievalEvaluation.TextRanking(captions[t], OWNER[t], 0, new int[] {topImage[t], 1}));
    }
    RetrievalEvaluation.Result result = new RetrievalEvaluation.Result(Map.of(), Map.of(), images, texts, null, null, null, null, null);
    Set<String> asked = new java.util.TreeSet<>();
    Optional<WorldTruth> w = WorldTruth.of(result, root, (image, caption) -> {
      asked.add(image);
      return Optional.of(TRUTH[paths.indexOf(image)][caption.charAt(1) - '0']);
    });
    assertThat(asked).containsExactlyElementsOf(paths);
    assertThat(w).contains(WorldTruth.of(TRUTH, OWNER, topText, topImage));

    // an oracle that cannot judge one pair judges nothing
    assertThat(WorldTruth.of(result, root, (image, caption) -> caption.equals("c3") ? Optional.empty() : Optional.of(true))).isEmpty();
  }

  @Test
  void shareOfTrueGeneratedCaptions() {
    Path root = Path.of("/data/shapes/images");
    List<CaptionEvaluation.CaptionedImage> images = new ArrayList<>();
    String[] captions = {"a red circle", "a blue square", "two shapes"};
    for (int i = 0; i < 3; i++) {
      images.add(new CaptionEvaluation.CaptionedImage("k" + i, root.resolve("test/00000" + i + ".png").toString(), captions[i], List.of("ref"), Map.of()));
    }
    CaptionEvaluation.Result result = new CaptionEvaluation.Result(Map.of(), Map.of(), images, null);
    Set<String> asked = new java.util.TreeSet<>();
    Optional<Double> share = WorldTruth.captionsTrue(result, root, (image, caption) -> {
      asked.add(image);
      return Optional.of(!caption.contains("blue"));
    });
    assertThat(share).hasValueSatisfying(v -> assertThat(v).isCloseTo(2.0 / 3, within(1e-12)));
    assertThat(asked).containsExactly("test/000000.png", "test/000001.png", "test/000002.png");
    assertThat(WorldTruth.captionsTrue(result, root, (image, caption) -> Optional.empty())).isEmpty();
    assertThat(WorldTruth.captionsTrue(new CaptionEvaluation.Result(Map.of(), Map.of(), List.of(), null), root, (image, caption) -> Optional.of(true)))
        .isEmpty();
  }
}
