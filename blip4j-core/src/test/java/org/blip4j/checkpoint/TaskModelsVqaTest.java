package org.blip4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.BlipVqaModel;
import org.blip4j.nn.Parameter;
import org.blip4j.train.PretrainJob;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskModels#vqa}: a BlipForPretraining gives a BlipForQuestionAnswering whose question encoder
 * and answer decoder start from the pre-trained encoder and decoder but are independent tensors (the
 * pre-training decoder shares all but self-attention with the encoder); a VQA model converts to
 * itself; a model without a text encoder is refused naming the missing key.
 */
class TaskModelsVqaTest {
  @Test
  void pretrainingModelGivesVqaModelWithIndependentDecoderCopies() {
    try (NDManager root = NDManager.newBaseManager()) {
      BlipPretrainModel pre = PretrainJob.randomModel(PretrainJob.modelConfig("tiny", 32), 8, 5, root);
      String shared = "layer.0.crossattention.self.query.weight";
      assertThat(pre.parameters().get("text_decoder.bert.encoder." + shared)).as("pre-training shares it")
          .isSameAs(pre.parameters().get("text_encoder.encoder." + shared));
      BlipVqaModel vqa = TaskModels.vqa(pre, root);
      Parameter enc = vqa.parameters().get("text_encoder.encoder." + shared);
      Parameter dec = vqa.parameters().get("text_decoder.bert.encoder." + shared);
      assertThat(dec).isNotSameAs(enc);
      float[] source = pre.parameters().get("text_encoder.encoder." + shared).array().toFloatArray();
      assertThat(same(enc.array().toFloatArray(), source)).isTrue();
      assertThat(same(dec.array().toFloatArray(), source)).isTrue();
      assertThat(same(vqa.parameters().get("text_decoder.cls.predictions.decoder.weight").array().toFloatArray(),
          pre.parameters().get("text_encoder.embeddings.word_embeddings.weight").array().toFloatArray())).as("LM head from the tied word embeddings").isTrue();
      String own = "text_decoder.bert.encoder.layer.1.attention.self.key.weight"; // the decoder's own self-attention
      assertThat(same(vqa.parameters().get(own).array().toFloatArray(), pre.parameters().get(own).array().toFloatArray())).isTrue();
      dec.array().addi(root.create(1f)); // training the answer decoder leaves the question encoder and the source alone
      assertThat(same(enc.array().toFloatArray(), source)).isTrue();
      assertThat(same(pre.parameters().get("text_encoder.encoder." + shared).array().toFloatArray(), source)).isTrue();
      assertThat(dec.array().toFloatArray()[0]).isEqualTo(source[0] + 1f);
      assertThat(TaskModels.vqa(vqa, root)).isSameAs(vqa);
      BlipCaptioningModel cap = TaskModels.captioning(pre, root);
      assertThatThrownBy(() -> TaskModels.vqa(cap, root)).isInstanceOf(CheckpointException.class)
          .hasMessageContaining("BlipForConditionalGeneration cannot initialise a BlipForQuestionAnswering").hasMessageContaining("'text_encoder.");
      cap.close();
      vqa.close();
      pre.close();
    }
  }

  /** Element-wise equality (AssertJ's containsExactly is quadratic on million-element arrays). */
  static boolean same(float[] a, float[] b) {
    return java.util.Arrays.equals(a, b);
  }
}
