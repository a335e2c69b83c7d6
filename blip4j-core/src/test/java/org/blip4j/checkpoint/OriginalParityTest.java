package org.blip4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import org.blip4j.generate.GenerationConfig;
import org.blip4j.generate.GenerationResult;
import org.blip4j.generate.Generator;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.BlipNlvrModel;
import org.blip4j.model.BlipRetrievalModel;
import org.blip4j.model.BlipVqaModel;
import org.blip4j.model.CrossAttentionContext;
import org.blip4j.model.Similarity;
import org.blip4j.model.TextDecoder;
import org.blip4j.model.TextTransformer;
import org.blip4j.testing.Close;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Original salesforce/BLIP checkpoints (model.pth + med_config.json) reproduce the original code's outputs. */
class OriginalParityTest {
  static final double TOL = 1e-4;
  static NDManager manager;

  @BeforeAll
  static void init() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  static <T> T load(String c, Class<T> type) throws Exception {
    return type.cast(OriginalCheckpoint.load(Fixtures.fixture("original/" + c + "/model.pth"), null, OriginalCheckpoint.Options.defaults(), manager));
  }

  @Test
  void captionVisionLogitsLossAndGeneration() throws Exception {
    SafeTensors io = Fixtures.tensors("original/caption/io.safetensors");
    SafeTensors in = Fixtures.tensors("caption/io.safetensors");
    JsonNode gens = Fixtures.json("original/caption/case.json").get("generation");
    JsonNode hfGens = Fixtures.json("caption/case.json").get("generation");
    try (BlipCaptioningModel model = load("caption", BlipCaptioningModel.class); NDManager m = manager.newSubManager()) {
      assertThat(model.config().vision().layerNormEps()).isEqualTo(1e-6);
      NDArray image = model.imageEmbeds(io.toNDArray(m, "pixel_values"));
      Close.assertClose(io, "visual_encoder_out", image, TOL);
      CrossAttentionContext ctx = model.textDecoder().bert().crossContext(image, null);
      NDArray logits = model.textDecoder().forward(in.toNDArray(m, "tf.input_ids"), in.toNDArray(m, "tf.attention_mask"), ctx, null, false, false).logits();
      Close.assertClose(io, "tf.logits", logits, TOL);
      Close.assertClose(io, "tf.loss", TextDecoder.lmLoss(logits, in.toNDArray(m, "tf.labels"), TextDecoder.LABEL_SMOOTHING), TOL);
      Generator gen = new Generator(model.textDecoder(), 102, 0);
      for (String name : new String[] {"greedy_prompt", "beam3_prompt", "greedy_noprompt", "beam3_noprompt"}) {
        JsonNode s = hfGens.get(name).get("generation_settings");
        GenerationConfig cfg = new GenerationConfig(s.get("max_length").asInt(), s.path("min_length").asInt(0), s.path("num_beams").asInt(1),
            1f, 1f, false, false, 1f, 50, 1f, 0, 1);
        long[] prompt = name.endsWith("noprompt") ? new long[] {30522} : new long[] {30522, 1037, 3861, 1997};
        GenerationResult res = gen.generate(ctx, prompt, cfg);
        boolean sameAsOriginal = true;
        for (int r = 0; r < 2; r++) {
          long[] hf = ids(hfGens.get(name).get("sequences").get(r));
          // blip4j follows HF 4.32 (the original code path, transformers 4.15, differs in one recorded case)
          assertThat(res.sequences()[r]).as("%s row %d", name, r).isEqualTo(hf);
          sameAsOriginal &= Arrays.equals(res.sequences()[r], ids(gens.get(name).get("sequences").get(r)));
        }
        assertThat(sameAsOriginal).as("%s equals the original code's ids", name).isEqualTo(gens.get(name).get("same_ids_as_hf_fixture").asBoolean());
      }
    }
  }

  static long[] ids(JsonNode row) {
    long[] out = new long[row.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = row.get(i).asLong();
    }
    return out;
  }

  @Test
  void originalCheckpointAndHfDirectoryGiveTheSameOutputs(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    SafeTensors in = Fixtures.tensors("caption/io.safetensors");
    // an HF directory whose weights are a pytorch_model.bin (here the original .pth: keys are mapped too)
    java.nio.file.Files.copy(Fixtures.fixture("caption/config.json"), dir.resolve("config.json"));
    java.nio.file.Files.copy(Fixtures.fixture("original/caption/model.pth"), dir.resolve("pytorch_model.bin"));
    try (BlipCaptioningModel pth = load("caption", BlipCaptioningModel.class);
        BlipCaptioningModel hf = (BlipCaptioningModel) ModelDirectory.load(Fixtures.fixture("caption"), manager);
        BlipCaptioningModel bin = (BlipCaptioningModel) ModelDirectory.load(dir, manager);
        NDManager m = manager.newSubManager()) {
      NDArray px = in.toNDArray(m, "pixel_values");
      // same weights, same (HF) eps: bit-identical
      assertThat(bin.imageEmbeds(px).toFloatArray()).isEqualTo(hf.imageEmbeds(px).toFloatArray());
      // the original ViT eps (1e-6) vs HF's 1e-5: equal within the parity tolerance
      Close.assertClose("original vs HF vision", hf.imageEmbeds(px).toFloatArray(), pth.imageEmbeds(px).toFloatArray(), TOL);
      NDArray ids = in.toNDArray(m, "tf.input_ids");
      NDArray mask = in.toNDArray(m, "tf.attention_mask");
      NDArray a = pth.textDecoder().forward(ids, mask, pth.textDecoder().bert().crossContext(pth.imageEmbeds(px), null), null, false, false).logits();
      NDArray b = hf.textDecoder().forward(ids, mask, hf.textDecoder().bert().crossContext(hf.imageEmbeds(px), null), null, false, false).logits();
      Close.assertClose("original vs HF logits", b.toFloatArray(), a.toFloatArray(), TOL);
    }
  }

  @Test
  void plainCheckpointLoadsAsNlvrWithCrossAttentionCopiedIntoBothBranches() throws Exception {
    var sd = org.blip4j.checkpoint.pth.TorchCheckpoint.read(Fixtures.fixture("original/pretrain/model.pth")).stateDict();
    try (BlipNlvrModel nlvr = (BlipNlvrModel) OriginalCheckpoint.load(Fixtures.fixture("original/pretrain/model.pth"), null,
        new OriginalCheckpoint.Options(null, null, BlipNlvrModel.ARCHITECTURE), manager)) {
      var p = nlvr.parameters();
      for (String branch : new String[] {"self0", "self1"}) {
        assertThat(p.get("text_encoder.encoder.layer.1.crossattention." + branch + ".key.weight").array().toFloatArray())
            .isEqualTo(sd.get("text_encoder.encoder.layer.1.crossattention.self.key.weight").floats());
      }
      for (String dense : new String[] {"dense0", "dense1"}) {
        assertThat(p.get("text_encoder.encoder.layer.0.crossattention.output." + dense + ".bias").array().toFloatArray())
            .isEqualTo(sd.get("text_encoder.encoder.layer.0.crossattention.output.dense.bias").floats());
      }
      assertThat(p.get("cls_head.2.weight").isSet()).as("fresh classifier head").isTrue();
      try (NDManager m = manager.newSubManager()) {
        NDArray px = Fixtures.tensors("original/nlvr/io.safetensors").toNDArray(m, "image");
        NDArray e = nlvr.imageEmbeds(px);
        NDArray ids = m.create(new long[] {30523, 1037, 4937, 102}, new Shape(1, 4));
        float[] logits = nlvr.logits(nlvr.textStates(e.get(new NDIndex("0:1")), e.get(new NDIndex("2:3")), ids, null)).toFloatArray();
        assertThat(logits).hasSize(2);
        assertThat(Float.isFinite(logits[0]) && Float.isFinite(logits[1])).isTrue();
      }
    }
  }

  @Test
  void itmLogitsAndCosine() throws Exception {
    SafeTensors io = Fixtures.tensors("original/itm/io.safetensors");
    SafeTensors in = Fixtures.tensors("retrieval/io.safetensors");
    try (BlipRetrievalModel model = load("itm", BlipRetrievalModel.class); NDManager m = manager.newSubManager()) {
      NDArray image = model.imageEmbeds(io.toNDArray(m, "pixel_values"));
      Close.assertClose(io, "visual_encoder_out", image, TOL);
      NDArray mask = in.toNDArray(m, "text.attention_mask");
      CrossAttentionContext ctx = model.textEncoder().crossContext(image, null);
      for (String v : new String[] {"enc", "cls"}) {
        NDArray ids = in.toNDArray(m, v.equals("enc") ? "itm.input_ids_enc" : "text.input_ids").tile(new long[] {2, 1});
        NDArray logits = model.itmLogits(model.multimodalStates(ids, mask.tile(new long[] {2, 1}), ctx)).reshape(2, 3, 2);
        Close.assertClose(io, "itm.logits_" + v, logits, TOL);
      }
      NDArray cos = Similarity.cosine(model.imageFeatures(image), model.textFeatures(in.toNDArray(m, "text.input_ids"), mask));
      Close.assertClose(io, "itc.cosine", cos, TOL);
    }
  }

  @Test
  void vqaQuestionStatesLogitsLossAndAnswers() throws Exception {
    SafeTensors io = Fixtures.tensors("original/vqa/io.safetensors");
    SafeTensors in = Fixtures.tensors("vqa/io.safetensors");
    JsonNode gens = Fixtures.json("original/vqa/case.json").get("generation");
    try (BlipVqaModel model = load("vqa", BlipVqaModel.class); NDManager m = manager.newSubManager()) {
      NDArray image = model.imageEmbeds(io.toNDArray(m, "pixel_values"));
      Close.assertClose(io, "visual_encoder_out", image, TOL);
      NDArray qMask = in.toNDArray(m, "question.attention_mask");
      NDArray question = model.textEncoder().forward(in.toNDArray(m, "question.input_ids"), qMask, TextTransformer.Mode.MULTIMODAL,
          model.textEncoder().crossContext(image, null), null, false).lastHiddenState();
      Close.assertClose(io, "question.last_hidden_state", question, TOL);
      NDArray logits = model.textDecoder().forward(in.toNDArray(m, "answer.input_ids"), in.toNDArray(m, "answer.attention_mask"),
          model.textDecoder().bert().crossContext(question, qMask), null, false, false).logits();
      Close.assertClose(io, "tf.logits", logits, TOL);
      Close.assertClose(io, "tf.loss", TextDecoder.lmLoss(logits, in.toNDArray(m, "answer.labels"), TextDecoder.LABEL_SMOOTHING), TOL);
      CrossAttentionContext ctx = model.textDecoder().bert().crossContext(question, null);
      Generator gen = new Generator(model.textDecoder(), 102, 0);
      GenerationResult greedy = gen.generate(ctx, new long[] {30522}, new GenerationConfig(10, 1, 1, 1f, 1f, false, false, 1f, 50, 1f, 0, 1));
      GenerationResult beam = gen.generate(ctx, new long[] {30522}, GenerationConfig.beam(3, 10, 1));
      for (int r = 0; r < 2; r++) {
        assertThat(greedy.sequences()[r]).isEqualTo(ids(gens.get("greedy").get("sequences").get(r)));
        assertThat(beam.sequences()[r]).isEqualTo(ids(gens.get("beam3").get("sequences").get(r)));
      }
    }
  }

  @Test
  void nlvrTwinCrossAttentionPredictionLossAndSwap() throws Exception {
    SafeTensors io = Fixtures.tensors("original/nlvr/io.safetensors");
    try (BlipNlvrModel model = load("nlvr", BlipNlvrModel.class); NDManager m = manager.newSubManager()) {
      NDArray embeds = model.imageEmbeds(io.toNDArray(m, "image"));
      Close.assertClose(io, "visual_encoder_out", embeds, TOL);
      NDArray left = embeds.get(new NDIndex("0:2"));
      NDArray right = embeds.get(new NDIndex("2:4"));
      NDArray ids = io.toNDArray(m, "text.input_ids");
      NDArray mask = io.toNDArray(m, "text.attention_mask");
      NDArray states = model.textStates(left, right, ids, mask);
      Close.assertClose(io, "text_encoder.last_hidden_state", states, TOL);
      NDArray logits = model.logits(states);
      Close.assertClose(io, "prediction", logits, TOL);
      NDArray targets = io.toNDArray(m, "targets");
      NDArray loss = logits.logSoftmax(-1).mul(targets.oneHot(2)).sum().neg().div(m.create(2f));
      Close.assertClose(io, "loss", loss.reshape(new Shape()), TOL);
      Close.assertClose(io, "prediction_images_swapped", model.logits(model.textStates(right, left, ids, mask)), TOL);
    }
  }
}
