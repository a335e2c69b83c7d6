package org.blip4j.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.blip4j.checkpoint.CheckpointException;
import org.blip4j.checkpoint.SafeTensors;
import org.blip4j.image.ImageDecodeException;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.RgbImage;
import org.blip4j.testing.Close;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * NlvrClassifier on the original BLIP_NLVR fixture (original/nlvr): left images = preprocess images
 * [0, 2], right images = [1, 4], texts from case.json; logits against io.safetensors.
 */
class NlvrClassifierTest {
  static final Path MODEL = Fixtures.fixture("original/nlvr/model.pth");
  static final List<Path> LEFT = List.of(
      Fixtures.fixture("preprocess/images/astronaut.png"), Fixtures.fixture("preprocess/images/rocket.jpg"));
  static final List<Path> RIGHT = List.of(
      Fixtures.fixture("preprocess/images/chelsea.png"), Fixtures.fixture("preprocess/images/astronaut_rgba_portrait.png"));
  static final List<String> TEXTS = new ArrayList<>();

  static {
    Fixtures.json("original/nlvr/case.json").get("inputs").get("texts").forEach(t -> TEXTS.add(t.asText()));
  }

  static NlvrClassifier nlvr;
  static SafeTensors io;

  @BeforeAll
  static void load() throws Exception {
    nlvr = NlvrClassifier.load(MODEL);
    io = Fixtures.tensors("original/nlvr/io.safetensors");
  }

  @AfterAll
  static void close() {
    if (nlvr != null) {
      nlvr.close();
    }
  }

  static List<RgbImage> decode(List<Path> files) {
    ImageDecoder d = new ImageDecoder();
    return files.stream().map(d::decode).toList();
  }

  static void assertMatches(String tensor, List<NlvrClassifier.Prediction> ps) {
    float[] expected = io.floats(tensor); // [2, 2] row-major
    assertThat(ps).hasSize(2);
    float[] actual = new float[4];
    for (int i = 0; i < 2; i++) {
      NlvrClassifier.Prediction p = ps.get(i);
      actual[2 * i] = p.logits()[0];
      actual[2 * i + 1] = p.logits()[1];
      double e0 = expected[2 * i];
      double e1 = expected[2 * i + 1];
      double probTrue = 1 / (1 + Math.exp(e0 - e1));
      assertThat(p.prediction()).as("%s row %d prediction", tensor, i).isEqualTo(e1 > e0);
      assertThat((double) p.probTrue()).as("%s row %d prob_true", tensor, i).isCloseTo(probTrue, org.assertj.core.data.Offset.offset(1e-4));
    }
    Close.assertClose(tensor, expected, actual, 1e-4);
  }

  @Test
  void batchedLogitsMatchTheOriginalModel() {
    assertThat(TEXTS).hasSize(2);
    assertMatches("prediction", nlvr.predict(decode(LEFT), decode(RIGHT), TEXTS));
  }

  @Test
  void swappingTheImagesMatchesTheOriginalToo() {
    // the two fixture tensors differ, so this checks that left goes to branch 0 and right to branch 1
    float[] p = io.floats("prediction");
    float[] s = io.floats("prediction_images_swapped");
    assertThat(Math.abs(p[0] - s[0])).isGreaterThan(1e-2f);
    assertMatches("prediction_images_swapped", nlvr.predict(decode(RIGHT), decode(LEFT), TEXTS));
  }

  @Test
  void singlePairFromFilesEqualsItsBatchRow() {
    // the shorter text alone (no padding) must give the row it gets in the padded batch
    float[] expected = io.floats("prediction");
    NlvrClassifier.Prediction p = nlvr.predict(ImageInput.of(LEFT.get(1)), ImageInput.of(RIGHT.get(1)), TEXTS.get(1));
    Close.assertClose("prediction row 1 alone", new float[] {expected[2], expected[3]}, p.logits(), 1e-4);
    assertThat(p.prediction()).isEqualTo(expected[3] > expected[2]);
  }

  @Test
  void mismatchedListsAreRejected() {
    assertThatThrownBy(() -> nlvr.predict(decode(LEFT), decode(RIGHT.subList(0, 1)), TEXTS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 right");
    assertThatThrownBy(() -> nlvr.predict(List.of(), List.of(), List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aBadImageIsNamed() {
    Path missing = LEFT.get(0).resolveSibling("missing.png");
    assertThatThrownBy(() -> nlvr.predict(ImageInput.of(missing), ImageInput.of(RIGHT.get(0)), TEXTS.get(0)))
        .isInstanceOf(ImageDecodeException.class).hasMessageContaining(missing.toString());
  }

  @Test
  void aModelOfAnotherClassIsRejected() {
    Path caption = Fixtures.fixture("caption");
    assertThatThrownBy(() -> NlvrClassifier.load(caption))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("BlipForNlvr2").hasMessageContaining(caption.toString());
  }
}
