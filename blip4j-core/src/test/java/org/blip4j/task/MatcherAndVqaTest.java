package org.blip4j.task;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.blip4j.checkpoint.SafeTensors;
import org.blip4j.generate.GenerationConfig;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;

/** ImageTextMatcher and VqaModel from image files agree with the HF fixtures. */
class MatcherAndVqaTest {
  static final List<ImageInput> IMAGES = List.of(
      ImageInput.of(Fixtures.fixture("preprocess/images/astronaut.png")),
      ImageInput.of(Fixtures.fixture("preprocess/images/chelsea.png")));

  @Test
  void itmAndItcMatchTheFixtureForBothFirstTokens() throws Exception {
    SafeTensors io = Fixtures.tensors("retrieval/io.safetensors");
    List<String> texts = new java.util.ArrayList<>();
    Fixtures.json("retrieval/case.json").get("inputs").get("texts").forEach(t -> texts.add(t.asText()));
    try (ImageTextMatcher matcher = ImageTextMatcher.load(Fixtures.fixture("retrieval"))) {
      for (ImageTextMatcher.FirstToken ft : ImageTextMatcher.FirstToken.values()) {
        String v = ft.name().toLowerCase();
        float[] prob = io.floats("itm.prob_match_" + v);
        float[] logits = io.floats("itm.logits_" + v);
        float[] cos = io.floats("itc.cosine");
        for (int i = 0; i < 2; i++) {
          List<ImageTextMatcher.Match> ms = matcher.match(IMAGES.get(i), texts, ft);
          for (int t = 0; t < 3; t++) {
            ImageTextMatcher.Match m = ms.get(t);
            assertThat(m.itmMatchProb()).as("prob %s %d %d", v, i, t).isCloseTo(prob[i * 3 + t], org.assertj.core.data.Offset.offset(1e-4f));
            assertThat(m.itmLogits()[0]).isCloseTo(logits[(i * 3 + t) * 2], org.assertj.core.data.Offset.offset(1e-4f));
            assertThat(m.itmLogits()[1]).isCloseTo(logits[(i * 3 + t) * 2 + 1], org.assertj.core.data.Offset.offset(1e-4f));
            assertThat(m.itcCosine()).isCloseTo(cos[i * 3 + t], org.assertj.core.data.Offset.offset(1e-4f));
          }
        }
      }
      // an empty text is a valid input ([CLS] [SEP]) and gets a probability
      assertThat(matcher.match(IMAGES.get(0), List.of("")).get(0).itmMatchProb()).isBetween(0f, 1f);
    }
  }

  @Test
  void vqaBatchAnswersMatchHfGreedyAndBeam() throws Exception {
    JsonNode gens = Fixtures.json("vqa/case.json").get("generation");
    List<String> questions = List.of("what is the woman holding?", "how many cats are there");
    try (VqaModel vqa = VqaModel.load(Fixtures.fixture("vqa"))) {
      for (String name : List.of("greedy", "beam3")) {
        GenerationConfig cfg = name.equals("greedy") ? GenerationConfig.greedy(10) : VqaModel.defaultGeneration();
        List<VqaModel.Answer> answers = vqa.answer(IMAGES, questions, cfg);
        for (int r = 0; r < 2; r++) {
          long[] expected = new long[gens.get(name).get("sequences").get(r).size()];
          for (int j = 0; j < expected.length; j++) {
            expected[j] = gens.get(name).get("sequences").get(r).get(j).asLong();
          }
          assertThat(answers.get(r).tokenIds()).as("%s row %d", name, r).isEqualTo(expected);
          assertThat(answers.get(r).answer()).isEqualTo(gens.get(name).get("decoded_skip_special").get(r).asText());
        }
      }
    }
  }
}
