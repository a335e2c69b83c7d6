package org.blip4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.Arrays;
import org.blip4j.checkpoint.ModelDirectory;
import org.blip4j.checkpoint.SafeTensors;
import org.blip4j.testing.Close;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** BlipForQuestionAnswering parity with {@code fixtures/vqa}: question encoder, answer decoder logits and loss. */
class VqaParityTest {
  static final double TOL = 1e-4;
  static NDManager manager;
  static BlipVqaModel model;
  static SafeTensors io;

  @BeforeAll
  static void load() throws Exception {
    manager = NDManager.newBaseManager();
    model = (BlipVqaModel) ModelDirectory.load(Fixtures.fixture("vqa"), manager);
    io = Fixtures.tensors("vqa/io.safetensors");
  }

  @AfterAll
  static void close() {
    model.close();
    manager.close();
  }

  @Test
  void questionStatesAnswerLogitsAndLossMatch() {
    try (NDManager m = manager.newSubManager()) {
      NDArray image = model.imageEmbeds(io.toNDArray(m, "pixel_values"));
      Close.assertClose(io, "vision.last_hidden_state", image, TOL);
      NDArray qIds = io.toNDArray(m, "question.input_ids");
      NDArray qMask = io.toNDArray(m, "question.attention_mask");
      NDArray question = model.textEncoder()
          .forward(qIds, qMask, TextTransformer.Mode.MULTIMODAL, model.textEncoder().crossContext(image, null), null, false)
          .lastHiddenState();
      Close.assertClose(io, "question.last_hidden_state", question, TOL);
      CrossAttentionContext ctx = model.textDecoder().bert().crossContext(question, qMask);
      NDArray aIds = io.toNDArray(m, "answer.input_ids");
      NDArray aMask = io.toNDArray(m, "answer.attention_mask");
      NDArray labels = io.toNDArray(m, "answer.labels");
      NDArray logits = model.textDecoder().forward(aIds, aMask, ctx, null, false, false).logits();
      Close.assertClose(io, "tf.logits", logits, TOL);
      Close.assertClose(io, "tf.loss", TextDecoder.lmLoss(logits, labels, TextDecoder.LABEL_SMOOTHING), TOL);
      Close.assertClose(io, "tf.loss_no_smoothing", TextDecoder.lmLoss(logits, labels, 0f), TOL);
      // training's and rank mode's path: the LM head only where a label is predicted, summed per answer
      TextDecoder decoder = model.textDecoder();
      float[] perAnswer = decoder.labelledSequenceLoss(aIds, aMask, ctx, labels, TextDecoder.LABEL_SMOOTHING).toFloatArray();
      assertThat(perAnswer).containsExactly(TextDecoder.sequenceLoss(logits, labels, TextDecoder.LABEL_SMOOTHING).toFloatArray(), within(1e-5f));
      long predicted = Arrays.stream(labels.get(new NDIndex(":, 1:")).toLongArray()).filter(l -> l != TextDecoder.IGNORE_INDEX).count();
      double mean = 0;
      for (float a : perAnswer) {
        mean += a / predicted;
      }
      Close.assertClose(io, "tf.loss", m.create((float) mean), TOL);
      Close.assertClose(io, "tf.loss", decoder.labelledLmLoss(aIds, aMask, ctx, labels, TextDecoder.LABEL_SMOOTHING), TOL);
    }
  }
}
