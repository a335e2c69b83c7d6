package org.blip4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.blip4j.Blip4j;
import org.blip4j.model.BlipConfig;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.TextConfig;
import org.blip4j.nn.Parameter;
import org.blip4j.vision.VisionConfig;
import org.junit.jupiter.api.Test;

/**
 * The momentum encoder with a frozen ViT equal to its momentum copy: shared with the online one,
 * never averaged; with a trained ViT, or a frozen one whose copy differs: averaged as before.
 */
class MomentumTest {
  private static BlipPretrainModel tinyModel(NDManager m) {
    BlipConfig cfg = new BlipConfig(new VisionConfig(16, 32, 1, 2, 32, 16, 1e-6, "gelu"),
        new TextConfig(30524, 16, 16, 32, 1, 2, 16, 1e-12, "gelu", 30522, 0, 2, 102), 8, 8, 2.6592, null);
    BlipPretrainModel model = new BlipPretrainModel(cfg, 4, m);
    model.parameters().initializeMissing(5, 0.2f);
    return model;
  }

  private static List<Parameter> online(BlipPretrainModel model, boolean withVision) {
    return model.parameters().distinct().entrySet().stream()
        .filter(e -> !e.getValue().get(0).contains("_m.") && (withVision || !e.getValue().get(0).startsWith("vision_model.")))
        .map(java.util.Map.Entry::getKey).toList();
  }

  @Test
  void frozenVisionIsSharedAndNotAveraged() {
    Blip4j.init();
    try (NDManager m = NDManager.newBaseManager()) {
      BlipPretrainModel model = tinyModel(m);
      Momentum momentum = new Momentum(model);
      momentum.copyParams();
      int all = momentum.size();
      momentum.declareTrainable(online(model, false));
      assertThat(momentum.sharesVision()).isTrue();
      long visionTensors = model.parameters().byName().keySet().stream().filter(n -> n.startsWith("vision_model.")).count();
      assertThat(momentum.size()).isEqualTo(all - (int) visionTensors);

      NDArray pixels = m.randomNormal(new Shape(2, 3, 32, 32));
      NDArray ids = m.create(new long[] {101, 2000, 2100, 102, 101, 2300, 102, 0}, new Shape(2, 4));
      NDArray mask = m.create(new long[] {1, 1, 1, 1, 1, 1, 1, 0}, new Shape(2, 4));
      float[] separatePass = model.imageMomentum(pixels)[1].toFloatArray();
      ITC.Features f = ITC.Features.of(model, momentum, 0.995f, pixels, ids, mask);
      assertThat(f.imageM().toFloatArray()).containsExactly(separatePass, org.assertj.core.data.Offset.offset(1e-6f));

      // the momentum ViT no longer moves, the momentum text encoder still does
      Parameter visionM = model.parameters().get("vision_model_m.embeddings.patch_embedding.weight");
      Parameter textM = model.parameters().get("text_encoder_m.embeddings.word_embeddings.weight");
      visionM.set(visionM.array().add(1f));
      textM.set(textM.array().add(1f));
      float[] visionBefore = visionM.array().toFloatArray();
      float[] textBefore = textM.array().toFloatArray();
      momentum.update(0.5f);
      assertThat(visionM.array().toFloatArray()).containsExactly(visionBefore);
      assertThat(textM.array().toFloatArray()).isNotEqualTo(textBefore);

      // copy_params still makes the momentum ViT the online one
      momentum.copyParams();
      assertThat(visionM.array().toFloatArray()).containsExactly(model.parameters().get("vision_model.embeddings.patch_embedding.weight").array().toFloatArray());
    }
  }

  @Test
  void frozenVisionWithADifferentMomentumCopyKeepsItsAverage() {
    Blip4j.init();
    try (NDManager m = NDManager.newBaseManager()) {
      BlipPretrainModel model = tinyModel(m);
      Momentum momentum = new Momentum(model);
      int all = momentum.size();
      momentum.copyParams();
      momentum.declareTrainable(online(model, false));
      int shared = momentum.size(); // asked while the copies are equal: must not fix the decision
      assertThat(shared).isLessThan(all);
      Parameter visionM = model.parameters().get("vision_model_m.embeddings.patch_embedding.weight");
      visionM.set(visionM.array().add(1f)); // e.g. a checkpoint whose ViT was trained, restored after
      assertThat(momentum.sharesVision()).isFalse();
      assertThat(momentum.size()).isEqualTo(all);
      float[] before = visionM.array().toFloatArray();
      momentum.update(0.5f);
      assertThat(visionM.array().toFloatArray()).isNotEqualTo(before);
    }
  }

  @Test
  void trainedVisionKeepsItsMovingAverage() {
    Blip4j.init();
    try (NDManager m = NDManager.newBaseManager()) {
      BlipPretrainModel model = tinyModel(m);
      Momentum momentum = new Momentum(model);
      int all = momentum.size();
      momentum.declareTrainable(online(model, true));
      assertThat(momentum.sharesVision()).isFalse();
      assertThat(momentum.size()).isEqualTo(all);
      Parameter visionM = model.parameters().get("vision_model_m.embeddings.patch_embedding.weight");
      visionM.set(visionM.array().add(1f));
      float[] before = visionM.array().toFloatArray();
      momentum.update(0.5f);
      assertThat(visionM.array().toFloatArray()).isNotEqualTo(before);
    }
  }
}
