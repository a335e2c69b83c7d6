package org.blip4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.BlipConfig;
import org.blip4j.model.BlipNlvrModel;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.TextConfig;
import org.blip4j.model.TwinCrossAttention;
import org.blip4j.nn.Parameter;
import org.blip4j.train.PretrainJob;
import org.blip4j.vision.VisionConfig;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskModels#nlvr}: from a tiny random BlipForPretraining (7 text layers, so layer 6 has a
 * merge layer), every branch {@code self0}/{@code self1}, {@code dense0}/{@code dense1} holds the
 * source's single cross-attention, in arrays of its own (changing one changes neither the other nor
 * the source); the ViT and the rest of the encoder are copied by name; merge layers and cls_head are
 * freshly initialised from the seed.
 */
class TaskModelsNlvrTest {
  static final int TEXT_LAYERS = TwinCrossAttention.MERGE_FROM + 1;

  static BlipConfig config() {
    return new BlipConfig(new VisionConfig(32, 64, 2, 2, 32, 8, 1e-6, "gelu"),
        new TextConfig(30524, 32, 32, 64, TEXT_LAYERS, 2, 16, 1e-12, "gelu", 30522, 0, 2, 102), 16, 16, 2.6592, null);
  }

  static float[] values(Parameter p) {
    return p.array().toFloatArray();
  }

  @Test
  void branchesAreIndependentCopiesOfTheSourceCrossAttention() {
    try (NDManager root = NDManager.newBaseManager(); BlipPretrainModel source = PretrainJob.randomModel(config(), 8, 5, root);
        BlipNlvrModel nlvr = TaskModels.nlvr(source, 11, root)) {
      Map<String, Parameter> from = source.parameters().byName();
      Map<String, Parameter> to = nlvr.parameters().byName();
      int branchTensors = 0;
      for (int l = 0; l < TEXT_LAYERS; l++) {
        String ca = "text_encoder.encoder.layer." + l + ".crossattention.";
        for (String[] pair : new String[][] {{"self0.", "self1.", "self."}, {"output.dense0.", "output.dense1.", "output.dense."}}) {
          for (String leaf : pair[0].startsWith("self") ? new String[] {"query.weight", "query.bias", "key.weight", "key.bias", "value.weight", "value.bias"}
              : new String[] {"weight", "bias"}) {
            Parameter b0 = to.get(ca + pair[0] + leaf);
            Parameter b1 = to.get(ca + pair[1] + leaf);
            Parameter s = from.get(ca + pair[2] + leaf);
            assertThat(b0).as(ca + pair[0] + leaf).isNotNull();
            assertThat(b1).as(ca + pair[1] + leaf).isNotNull();
            assertThat(s).as("source " + ca + pair[2] + leaf).isNotNull();
            assertThat(values(b0)).as(ca + pair[0] + leaf + " = source").isEqualTo(values(s));
            assertThat(values(b1)).as(ca + pair[1] + leaf + " = source").isEqualTo(values(s));
            assertThat(b0).isNotSameAs(b1);
            assertThat(b0.array()).isNotSameAs(b1.array()).isNotSameAs(s.array());
            branchTensors++;
          }
        }
        assertThat(values(to.get(ca + "output.LayerNorm.weight"))).isEqualTo(values(from.get(ca + "output.LayerNorm.weight")));
      }
      assertThat(branchTensors).isEqualTo(TEXT_LAYERS * 8);

      // storage is not shared: an in-place change of branch 0 leaves branch 1 and the source as they were
      String q = "text_encoder.encoder.layer.0.crossattention.";
      float[] before = values(from.get(q + "self.query.weight"));
      NDArray w0 = to.get(q + "self0.query.weight").array();
      w0.addi(w0.getManager().create(1f));
      assertThat(values(to.get(q + "self0.query.weight"))[0]).isEqualTo(before[0] + 1f);
      assertThat(values(to.get(q + "self1.query.weight"))).isEqualTo(before);
      assertThat(values(from.get(q + "self.query.weight"))).isEqualTo(before);

      // ViT and encoder weights by name
      for (String name : new String[] {"vision_model.encoder.layers.1.self_attn.qkv.weight", "vision_model.embeddings.patch_embedding.weight",
          "text_encoder.embeddings.word_embeddings.weight", "text_encoder.encoder.layer.3.attention.self.query.weight",
          "text_encoder.encoder.layer.6.output.dense.weight"}) {
        assertThat(values(to.get(name))).as(name).isEqualTo(values(from.get(name)));
        assertThat(to.get(name).array()).isNotSameAs(from.get(name).array());
      }
    }
  }

  @Test
  void mergeLayersAndHeadAreFreshAndSeeded() {
    try (NDManager root = NDManager.newBaseManager(); BlipPretrainModel source = PretrainJob.randomModel(config(), 8, 5, root);
        BlipNlvrModel a = TaskModels.nlvr(source, 11, root); BlipNlvrModel b = TaskModels.nlvr(source, 11, root);
        BlipNlvrModel c = TaskModels.nlvr(source, 12, root)) {
      String merge = "text_encoder.encoder.layer." + TwinCrossAttention.MERGE_FROM + ".crossattention.output.merge_layer.";
      assertThat(a.parameters().byName()).doesNotContainKey("text_encoder.encoder.layer.0.crossattention.output.merge_layer.weight");
      for (String name : new String[] {merge + "weight", "cls_head.0.weight", "cls_head.2.weight"}) {
        float[] w = values(a.parameters().get(name));
        double sq = 0;
        for (float v : w) {
          sq += v * v;
        }
        assertThat(Math.sqrt(sq / w.length)).as(name + " ~ N(0, 0.02)").isBetween(0.015, 0.025);
        assertThat(values(b.parameters().get(name))).as(name + " same seed").isEqualTo(w);
        assertThat(values(c.parameters().get(name))).as(name + " other seed").isNotEqualTo(w);
      }
      for (String name : new String[] {merge + "bias", "cls_head.0.bias", "cls_head.2.bias"}) {
        assertThat(values(a.parameters().get(name))).as(name).containsOnly(0f);
      }
      assertThat(TaskModels.nlvr(a, 3, root)).as("an NLVR model is its own NLVR model").isSameAs(a);
    }
  }

  @Test
  void aModelWithoutTextEncoderIsRefusedNamingTheMissingKeys() {
    try (NDManager root = NDManager.newBaseManager(); BlipPretrainModel source = PretrainJob.randomModel(config(), 8, 5, root);
        BlipCaptioningModel captioner = TaskModels.captioning(source, root)) {
      assertThatThrownBy(() -> TaskModels.nlvr(captioner, 1, root)).isInstanceOf(CheckpointException.class)
          .hasMessageContaining("BlipForNlvr2").hasMessageContaining("'text_encoder.encoder.layer.0.crossattention.self0.query.weight' missing");
    }
  }
}
