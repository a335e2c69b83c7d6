package org.blip4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.blip4j.model.BlipConfig;
import org.blip4j.model.TextTransformer;
import org.blip4j.nn.Dropout;
import org.blip4j.vision.VisionConfig;
import org.junit.jupiter.api.Test;

/**
 * Inverted dropout and the ViT's stochastic depth: the drop rate, the 1/(1−p) scale, whole samples
 * dropped by drop-path, seeded masks, and off means identical outputs.
 */
class DropoutTest {
  @Test
  void dropsAboutPAndScalesTheRest() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray ones = m.ones(new Shape(200_000));
      float[] out = Dropout.apply(ones, 0.25f).toFloatArray();
      int zeros = 0;
      for (float v : out) {
        if (v == 0f) {
          zeros++;
        } else {
          assertThat(v).isEqualTo(1f / 0.75f);
        }
      }
      assertThat(zeros / 200_000.0).isCloseTo(0.25, within(0.005));
      assertThat(Dropout.apply(ones, 0f)).isSameAs(ones);
    }
  }

  @Test
  void textDropoutChangesTrainingForwardsReproduciblyAndOffRestoresInference() {
    try (NDManager root = NDManager.newBaseManager();
        org.blip4j.model.BlipPretrainModel model = PretrainJob.randomModel(TrainerTest.MICRO, 8, 1, root)) {
      NDArray ids = root.create(new long[] {101, 1037, 2417, 2675, 102}, new Shape(1, 5));
      NDArray mask = root.ones(new Shape(1, 5), ai.djl.ndarray.types.DataType.INT64);
      TextTransformer text = model.textEncoder();
      float[] plain = model.textFeatures(ids, mask).toFloatArray();
      text.setDropout(0.1f, 0.1f);
      Engine.getInstance().setRandomSeed(5);
      float[] a = model.textFeatures(ids, mask).toFloatArray();
      Engine.getInstance().setRandomSeed(5);
      float[] b = model.textFeatures(ids, mask).toFloatArray();
      float[] c = model.textFeatures(ids, mask).toFloatArray();
      assertThat(a).isNotEqualTo(plain).isEqualTo(b).isNotEqualTo(c);
      text.setDropout(0, 0);
      assertThat(model.textFeatures(ids, mask).toFloatArray()).isEqualTo(plain);
    }
  }

  @Test
  void dropPathDropsWholeSamplesAboutPAndScalesTheRest() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray ones = m.ones(new Shape(20_000, 3, 4));
      float[] out = Dropout.dropPath(ones, 0.3f).toFloatArray();
      int dropped = 0;
      for (int s = 0; s < 20_000; s++) {
        float first = out[s * 12];
        assertThat(first).isIn(0f, 1f / 0.7f);
        for (int k = 1; k < 12; k++) {
          assertThat(out[s * 12 + k]).as("sample %d is dropped or kept as a whole", s).isEqualTo(first);
        }
        dropped += first == 0f ? 1 : 0;
      }
      assertThat(dropped / 20_000.0).isCloseTo(0.3, within(0.015));
      assertThat(Dropout.dropPath(ones, 0f)).isSameAs(ones);
    }
  }

  @Test
  void visionDropPathChangesTrainingForwardsReproduciblyAndOffRestoresInference() {
    try (NDManager root = NDManager.newBaseManager();
        // two ViT blocks: timm's linspace(0, rate, depth) leaves the first one undropped
        org.blip4j.model.BlipPretrainModel model = PretrainJob.randomModel(new BlipConfig(new VisionConfig(16, 32, 2, 2, 32, 16, 1e-6, "gelu"),
            TrainerTest.MICRO.text(), 8, 8, 2.6592, null), 8, 1, root)) {
      int size = 32;
      NDArray pixels = root.randomNormal(new Shape(8, 3, size, size));
      var vit = model.vision();
      float[] plain = vit.forward(pixels, false).lastHiddenState().toFloatArray();
      vit.setDropPath(0.5f);
      Engine.getInstance().setRandomSeed(5);
      float[] a = vit.forward(pixels, false).lastHiddenState().toFloatArray();
      Engine.getInstance().setRandomSeed(5);
      float[] b = vit.forward(pixels, false).lastHiddenState().toFloatArray();
      float[] c = vit.forward(pixels, false).lastHiddenState().toFloatArray();
      assertThat(a).isNotEqualTo(plain).isEqualTo(b).isNotEqualTo(c);
      vit.setDropPath(0);
      assertThat(vit.forward(pixels, false).lastHiddenState().toFloatArray()).isEqualTo(plain);
    }
  }
}
