package org.blip4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import org.blip4j.checkpoint.ModelDirectory;
import org.blip4j.checkpoint.SafeTensors;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.BlipVqaModel;
import org.blip4j.model.CrossAttentionContext;
import org.blip4j.model.TextTransformer;
import org.blip4j.testing.Close;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Generated ids equal HF 4.32's for every greedy and beam case of fixtures/caption and fixtures/vqa. */
class GenerationParityTest {
  static NDManager manager;
  static BlipCaptioningModel captioner;
  static BlipVqaModel vqa;

  @BeforeAll
  static void load() throws Exception {
    manager = NDManager.newBaseManager();
    captioner = (BlipCaptioningModel) ModelDirectory.load(Fixtures.fixture("caption"), manager);
    vqa = (BlipVqaModel) ModelDirectory.load(Fixtures.fixture("vqa"), manager);
  }

  @AfterAll
  static void close() {
    captioner.close();
    vqa.close();
    manager.close();
  }

  static GenerationConfig config(JsonNode s) {
    int beams = s.path("num_beams").asInt(1);
    return new GenerationConfig(s.get("max_length").asInt(), s.path("min_length").asInt(0), beams,
        (float) s.path("repetition_penalty").asDouble(1), (float) s.path("length_penalty").asDouble(1),
        s.path("early_stopping").asBoolean(false), false, 1f, 50, 1f, 0, 1);
  }

  static long[] row(long[] flat, int rows, int r) {
    int n = flat.length / rows;
    return Arrays.copyOfRange(flat, r * n, (r + 1) * n);
  }

  @ParameterizedTest
  @ValueSource(strings = {"greedy_prompt", "beam3_prompt", "greedy_noprompt", "beam3_noprompt"})
  void captionIdsMatch(String name) {
    JsonNode gen = Fixtures.json("caption/case.json").get("generation").get(name);
    SafeTensors io = Fixtures.tensors("caption/io.safetensors");
    try (NDManager m = manager.newSubManager()) {
      NDArray image = captioner.imageEmbeds(io.toNDArray(m, "pixel_values"));
      CrossAttentionContext ctx = captioner.textDecoder().bert().crossContext(image, null);
      long[] prompt = name.endsWith("noprompt")
          ? new long[] {30522}
          : Arrays.copyOf(row(io.longs("gen.prompt_input_ids"), 2, 0), 4);
      prompt[0] = 30522;
      GenerationResult res = new Generator(captioner.textDecoder(), 102, 0).generate(ctx, prompt, config(gen.get("generation_settings")));
      long[] expected = io.longs("gen." + name + ".sequences");
      for (int r = 0; r < 2; r++) {
        Close.assertIds(name + " row " + r, row(expected, 2, r), res.sequences()[r]);
      }
      if (name.startsWith("beam")) {
        Close.assertClose(name + ".sequences_scores", io.floats("gen." + name + ".sequences_scores"), res.scores(), 1e-4);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"greedy", "beam3"})
  void vqaAnswerIdsMatch(String name) {
    JsonNode gen = Fixtures.json("vqa/case.json").get("generation").get(name);
    SafeTensors io = Fixtures.tensors("vqa/io.safetensors");
    try (NDManager m = manager.newSubManager()) {
      NDArray image = vqa.imageEmbeds(io.toNDArray(m, "pixel_values"));
      NDArray question = vqa.textEncoder().forward(io.toNDArray(m, "question.input_ids"), io.toNDArray(m, "question.attention_mask"),
          TextTransformer.Mode.MULTIMODAL, vqa.textEncoder().crossContext(image, null), null, false).lastHiddenState();
      CrossAttentionContext ctx = vqa.textDecoder().bert().crossContext(question, null);
      GenerationResult res = new Generator(vqa.textDecoder(), 102, 0).generate(ctx, new long[] {30522}, config(gen.get("generation_settings")));
      long[] expected = io.longs("gen." + name + ".sequences");
      for (int r = 0; r < 2; r++) {
        Close.assertIds(name + " row " + r, row(expected, 2, r), res.sequences()[r]);
      }
      assertThat(res.sequences()).hasNumberOfRows(2);
    }
  }
}
