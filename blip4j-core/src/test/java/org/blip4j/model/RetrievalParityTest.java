package org.blip4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.blip4j.checkpoint.ModelDirectory;
import org.blip4j.checkpoint.SafeTensors;
import org.blip4j.testing.Close;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** BlipForImageTextRetrieval parity with {@code fixtures/retrieval}: ITM ([ENC] and [CLS] first), ITC. */
class RetrievalParityTest {
  static final double TOL = 1e-4;
  static NDManager manager;
  static BlipRetrievalModel model;
  static SafeTensors io;

  @BeforeAll
  static void load() throws Exception {
    manager = NDManager.newBaseManager();
    model = (BlipRetrievalModel) ModelDirectory.load(Fixtures.fixture("retrieval"), manager);
    io = Fixtures.tensors("retrieval/io.safetensors");
  }

  @AfterAll
  static void close() {
    model.close();
    manager.close();
  }

  @Test
  void itmWithEncAndClsFirstMatches() {
    for (String variant : new String[] {"enc", "cls"}) {
      try (NDManager m = manager.newSubManager()) {
        NDArray image = model.imageEmbeds(io.toNDArray(m, "pixel_values"));
        Close.assertClose(io, "vision.last_hidden_state", image, TOL);
        NDArray ids = io.toNDArray(m, variant.equals("enc") ? "itm.input_ids_enc" : "text.input_ids");
        NDArray mask = io.toNDArray(m, "text.attention_mask");
        // pair every text with every image: rows grouped by image (2 images × 3 texts)
        NDArray ids6 = ids.tile(new long[] {2, 1});
        NDArray mask6 = mask.tile(new long[] {2, 1});
        CrossAttentionContext ctx = model.textEncoder().crossContext(image, null);
        NDArray states = model.multimodalStates(ids6, mask6, ctx);
        Close.assertClose(io, "itm.text_last_hidden_state_" + variant, states.reshape(2, 3, 35, 48), TOL);
        NDArray logits = model.itmLogits(states).reshape(2, 3, 2);
        Close.assertClose(io, "itm.logits_" + variant, logits, TOL);
        Close.assertClose(io, "itm.prob_match_" + variant, logits.softmax(-1).get(":, :, 1"), TOL);
      }
    }
  }

  @Test
  void itcFeaturesAndCosineMatch() {
    try (NDManager m = manager.newSubManager()) {
      NDArray image = model.imageEmbeds(io.toNDArray(m, "pixel_values"));
      NDArray ids = io.toNDArray(m, "text.input_ids");
      NDArray mask = io.toNDArray(m, "text.attention_mask");
      Close.assertClose(io, "itc.text_last_hidden_state", model.textStates(ids, mask), TOL);
      NDArray imageFeat = model.imageFeatures(image);
      NDArray textFeat = model.textFeatures(ids, mask);
      Close.assertClose(io, "itc.image_feat", imageFeat, TOL);
      Close.assertClose(io, "itc.text_feat", textFeat, TOL);
      NDArray cos = Similarity.cosine(imageFeat, textFeat);
      Close.assertClose(io, "itc.cosine", cos.reshape(new Shape(2, 3)), TOL);
    }
  }
}
