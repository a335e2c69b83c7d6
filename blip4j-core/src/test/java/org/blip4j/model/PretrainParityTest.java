package org.blip4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.blip4j.checkpoint.OriginalCheckpoint;
import org.blip4j.checkpoint.SafeTensors;
import org.blip4j.testing.Close;
import org.blip4j.testing.Fixtures;
import org.blip4j.train.LM;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** BLIP_Pretrain's deterministic pieces reproduced from the original checkpoint (fixtures/original/pretrain). */
class PretrainParityTest {
  static final double TOL = 1e-4;
  static NDManager manager;
  static BlipPretrainModel model;
  static SafeTensors io;

  @BeforeAll
  static void load() throws Exception {
    manager = NDManager.newBaseManager();
    model = (BlipPretrainModel) OriginalCheckpoint.load(Fixtures.fixture("original/pretrain/model.pth"), null,
        new OriginalCheckpoint.Options(null, null, BlipPretrainModel.ARCHITECTURE), manager);
    io = Fixtures.tensors("original/pretrain/io.safetensors");
  }

  @AfterAll
  static void close() {
    model.close();
    manager.close();
  }

  @Test
  void decoderSharesEverythingButSelfAttentionWithTheEncoder() {
    var p = model.parameters();
    assertThat(p.get("text_decoder.bert.encoder.layer.1.crossattention.self.key.weight")).isSameAs(p.get("text_encoder.encoder.layer.1.crossattention.self.key.weight"));
    assertThat(p.get("text_decoder.bert.encoder.layer.0.intermediate.dense.weight")).isSameAs(p.get("text_encoder.encoder.layer.0.intermediate.dense.weight"));
    assertThat(p.get("text_decoder.bert.embeddings.word_embeddings.weight")).isSameAs(p.get("text_encoder.embeddings.word_embeddings.weight"));
    assertThat(p.get("text_decoder.cls.predictions.decoder.weight")).isSameAs(p.get("text_encoder.embeddings.word_embeddings.weight"));
    assertThat(p.get("text_decoder.bert.encoder.layer.0.attention.self.query.weight")).isNotSameAs(p.get("text_encoder.encoder.layer.0.attention.self.query.weight"));
    assertThat(p.get("text_decoder.bert.encoder.layer.0.attention.output.dense.weight")).isNotSameAs(p.get("text_encoder.encoder.layer.0.attention.output.dense.weight"));
    assertThat(p.get("text_encoder_m.embeddings.word_embeddings.weight")).isNotSameAs(p.get("text_encoder.embeddings.word_embeddings.weight"));
  }

  @Test
  void itcFeaturesQueueSimilaritiesSoftTargetsAndLoss() {
    try (NDManager m = manager.newSubManager()) {
      NDArray pixels = io.toNDArray(m, "image");
      NDArray ids = io.toNDArray(m, "text.input_ids");
      NDArray mask = io.toNDArray(m, "text.attention_mask");
      NDArray embeds = model.imageEmbeds(pixels);
      Close.assertClose(io, "image_embeds", embeds, TOL);
      NDArray imageFeat = model.imageFeatures(embeds);
      NDArray textFeat = model.textFeatures(ids, mask);
      Close.assertClose(io, "image_feat", imageFeat, TOL);
      Close.assertClose(io, "text_feat", textFeat, TOL);
      NDArray[] momentum = model.imageMomentum(pixels);
      Close.assertClose(io, "image_embeds_m", momentum[0], TOL);
      Close.assertClose(io, "image_feat_m", momentum[1], TOL);
      NDArray textFeatM = model.textFeaturesMomentum(ids, mask);
      Close.assertClose(io, "text_feat_m", textFeatM, TOL);
      Close.assertClose(io, "image_queue", model.imageQueue().array(), 0);
      NDArray i2tM = model.similarityWithQueue(momentum[1], textFeatM, model.textQueue());
      NDArray t2iM = model.similarityWithQueue(textFeatM, momentum[1], model.imageQueue());
      Close.assertClose(io, "sim_i2t_m", i2tM, TOL);
      Close.assertClose(io, "sim_t2i_m", t2iM, TOL);
      NDArray i2t = model.similarityWithQueue(imageFeat, textFeatM, model.textQueue());
      NDArray t2i = model.similarityWithQueue(textFeat, momentum[1], model.imageQueue());
      Close.assertClose(io, "sim_i2t", i2t, TOL);
      Close.assertClose(io, "sim_t2i", t2i, TOL);
      NDArray i2tTargets = BlipPretrainModel.softTargets(i2tM, 0.4f);
      NDArray t2iTargets = BlipPretrainModel.softTargets(t2iM, 0.4f);
      Close.assertClose(io, "sim_i2t_targets", i2tTargets, TOL);
      Close.assertClose(io, "sim_t2i_targets", t2iTargets, TOL);
      NDArray ita = BlipPretrainModel.contrastiveLoss(i2t, i2tTargets).add(BlipPretrainModel.contrastiveLoss(t2i, t2iTargets)).div(m.create(2f));
      Close.assertClose(io, "loss_ita", ita, TOL);
    }
  }

  @Test
  void savesAndLoadsBackWithSharingAndQueues(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    org.blip4j.checkpoint.ModelDirectory.save(model, dir);
    try (BlipPretrainModel back = (BlipPretrainModel) org.blip4j.checkpoint.ModelDirectory.load(dir, manager); NDManager m = manager.newSubManager()) {
      assertThat(back.parameters().get("text_decoder.bert.encoder.layer.0.crossattention.self.key.weight"))
          .isSameAs(back.parameters().get("text_encoder.encoder.layer.0.crossattention.self.key.weight"));
      assertThat(back.textQueue().array().toFloatArray()).isEqualTo(model.textQueue().array().toFloatArray());
      assertThat(back.temperature().array().toFloatArray()).isEqualTo(model.temperature().array().toFloatArray());
      NDArray ids = io.toNDArray(m, "lm.input_ids");
      NDArray mask = io.toNDArray(m, "text.attention_mask");
      NDArray embeds = model.imageEmbeds(io.toNDArray(m, "image"));
      assertThat(back.lmLogits(ids, mask, back.imageEmbeds(io.toNDArray(m, "image"))).toFloatArray())
          .isEqualTo(model.lmLogits(ids, mask, embeds).toFloatArray());
    }
  }

  @Test
  void itmOnFixedPairsAndLmLoss() {
    try (NDManager m = manager.newSubManager()) {
      NDArray embeds = model.imageEmbeds(io.toNDArray(m, "image"));
      NDArray rows = embeds.get(io.toNDArray(m, "itm.image_index"));
      NDArray logits = model.itmLogits(io.toNDArray(m, "itm.input_ids"), io.toNDArray(m, "itm.attention_mask"), rows);
      Close.assertClose(io, "itm.logits", logits, TOL);
      NDArray labels = io.toNDArray(m, "itm.labels");
      NDArray itmLoss = logits.logSoftmax(-1).mul(labels.oneHot(2)).sum(new int[] {1}).mean().neg();
      Close.assertClose(io, "itm.loss", itmLoss, TOL);
      NDArray lm = model.lmLogits(io.toNDArray(m, "lm.input_ids"), io.toNDArray(m, "text.attention_mask"), embeds);
      Close.assertClose(io, "lm.logits_first4", lm.get(new NDIndex(":, :4, :")), TOL);
      Close.assertClose(io, "lm.loss", TextDecoder.lmLoss(lm, io.toNDArray(m, "lm.labels"), TextDecoder.LABEL_SMOOTHING).reshape(new Shape()), TOL);
      // pre-training's path: labels from the mask, the LM head only where a label is predicted
      Close.assertClose(io, "lm.loss", LM.loss(model, io.toNDArray(m, "lm.input_ids"), io.toNDArray(m, "text.attention_mask"), embeds).reshape(new Shape()), TOL);
    }
  }
}
