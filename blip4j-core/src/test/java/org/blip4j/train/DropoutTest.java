package org.blip4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.blip4j.model.TextTransformer;
import org.blip4j.nn.Dropout;
import org.junit.jupiter.api.Test;

/** Inverted dropout: the drop rate, the 1/(1−p) scale, seeded masks, and off means identical outputs. */
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
}
