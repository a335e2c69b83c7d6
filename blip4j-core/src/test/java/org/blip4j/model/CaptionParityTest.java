package org.blip4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.blip4j.checkpoint.ModelDirectory;
import org.blip4j.checkpoint.SafeTensors;
import org.blip4j.testing.Close;
import org.blip4j.testing.Fixtures;
import org.blip4j.vision.VisionTransformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** BlipForConditionalGeneration parity with {@code fixtures/caption} (HF 4.32): ViT, decoder, logits, losses. */
class CaptionParityTest {
  static final double TOL = 1e-4;
  static NDManager manager;
  static BlipCaptioningModel model;
  static SafeTensors io;

  @BeforeAll
  static void load() throws Exception {
    manager = NDManager.newBaseManager();
    model = (BlipCaptioningModel) ModelDirectory.load(Fixtures.fixture("caption"), manager);
    io = Fixtures.tensors("caption/io.safetensors");
  }

  @AfterAll
  static void close() {
    model.close();
    manager.close();
  }

  @Test
  void visionHiddenStatesMatch() {
    try (NDManager m = manager.newSubManager()) {
      VisionTransformer.Output out = model.vision().forward(io.toNDArray(m, "pixel_values"), true);
      Close.assertClose(io, "vision.last_hidden_state", out.lastHiddenState(), TOL);
      Close.assertClose(io, "vision.pooler_output", out.poolerOutput(), TOL);
      for (int i = 0; i < 3; i++) {
        Close.assertClose(io, "vision.hidden_states." + i, out.hiddenStates().get(i), TOL);
      }
    }
  }

  @Test
  void teacherForcedLogitsAndLossesMatch() {
    try (NDManager m = manager.newSubManager()) {
      NDArray image = model.imageEmbeds(io.toNDArray(m, "pixel_values"));
      CrossAttentionContext ctx = model.textDecoder().bert().crossContext(image, null);
      NDArray ids = io.toNDArray(m, "tf.input_ids");
      NDArray mask = io.toNDArray(m, "tf.attention_mask");
      NDArray labels = io.toNDArray(m, "tf.labels");
      TextDecoder.Output out = model.textDecoder().forward(ids, mask, ctx, null, true, false);
      for (int i = 0; i < 3; i++) {
        Close.assertClose(io, "tf.decoder_hidden_states." + i, out.states().hiddenStates().get(i), TOL);
      }
      Close.assertClose(io, "tf.logits", out.logits(), TOL);
      Close.assertClose(io, "tf.loss", TextDecoder.lmLoss(out.logits(), labels, TextDecoder.LABEL_SMOOTHING), TOL);
      Close.assertClose(io, "tf.loss_no_smoothing", TextDecoder.lmLoss(out.logits(), labels, 0f), TOL);
      Close.assertClose(io, "tf.token_nll", TextDecoder.tokenNll(out.logits(), labels), TOL);
      // training's path: the LM head only where a label is predicted (padding and the prompt skipped)
      Close.assertClose(io, "tf.loss", model.textDecoder().labelledLmLoss(ids, mask, ctx, labels, TextDecoder.LABEL_SMOOTHING), TOL);
      Close.assertClose(io, "tf.loss_no_smoothing", model.textDecoder().labelledLmLoss(ids, mask, ctx, labels, 0f), TOL);
    }
  }

  @Test
  void tiedLmBiasIsOneParameterUnderTwoNames() {
    assertThat(model.parameters().get("text_decoder.cls.predictions.decoder.bias"))
        .isSameAs(model.parameters().get("text_decoder.cls.predictions.bias"));
  }
}
