package org.blip4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.blip4j.Blip4j;
import org.blip4j.data.ImageRef;
import org.blip4j.data.Sample;
import org.blip4j.image.RgbImage;
import org.blip4j.model.BlipVqaModel;
import org.blip4j.model.TextDecoder;
import org.blip4j.task.VqaModel;
import org.blip4j.testing.Fixtures;
import org.blip4j.text.BertTokenizer;
import org.blip4j.text.PreCaption;
import org.junit.jupiter.api.Test;

/**
 * VQA fine-tuning: answer weights as vqa_dataset.py computes them; the batched loss equals the
 * weighted per-answer losses computed one (question, answer) pair at a time; and the fixture VQA
 * model (random weights) fine-tuned on a handful of (image, question, answer) triples answers each
 * correctly in generate and in rank mode.
 */
class VqaFinetuningTest {
  static final int[][] RGB = {{230, 20, 20}, {30, 40, 220}, {20, 200, 40}};
  static final String[] COLOR = {"red", "blue", "green"};
  static final List<String> ANSWER_LIST = List.of("red", "blue", "green", "yes", "no", "white", "two cats");

  static RgbImage solid(int[] rgb) {
    byte[] px = new byte[64 * 64 * 3];
    for (int i = 0; i < 64 * 64; i++) {
      for (int c = 0; c < 3; c++) {
        px[i * 3 + c] = (byte) rgb[c];
      }
    }
    return new RgbImage(64, 64, px);
  }

  static VqaFinetuning.Options noDropout(float clip) {
    return new VqaFinetuning.Options(0.05f, clip, 35, 0f, 0f, null);
  }

  @Test
  void answerWeightsAreEachDistinctAnswersShare() {
    VqaFinetuning.WeightedAnswers w = VqaFinetuning.WeightedAnswers.of(List.of("yes", "no", "yes", "yes"));
    assertThat(w.answers()).containsExactly("yes", "no");
    assertThat(w.weights()).containsExactly(0.75f, 0.25f);
    VqaFinetuning.WeightedAnswers one = VqaFinetuning.WeightedAnswers.of(List.of("two"));
    assertThat(one.answers()).containsExactly("two");
    assertThat(one.weights()).containsExactly(1f);
    // vqa_dataset.py: a Visual Genome pair's answer weighs 0.2, a VQA question's answers 1 in all
    VqaFinetuning.WeightedAnswers vg = VqaFinetuning.WeightedAnswers.of(new VqaFinetuning.Item(new float[0], "what color?", List.of("red"), true));
    assertThat(vg.answers()).containsExactly("red");
    assertThat(vg.weights()).containsExactly(0.2f);
    assertThat(VqaFinetuning.WeightedAnswers.of(new VqaFinetuning.Item(new float[0], "what color?", List.of("red", "red"))).weights()).containsExactly(1f);
    // BLIP's vg_qa.json marks Visual Genome pairs with "dataset": "vg"
    ImageRef ref = new ImageRef.Bytes("a.png", new byte[0], "x");
    assertThat(FinetuneJob.isVisualGenome(new Sample("q1", ref, List.of("what color?"), Map.of("dataset", "vg")))).isTrue();
    assertThat(FinetuneJob.isVisualGenome(new Sample("q2", ref, List.of("what color?"), Map.of("dataset", "vqa")))).isFalse();
    assertThat(FinetuneJob.isVisualGenome(new Sample("q3", ref, List.of("what color?"), Map.of()))).isFalse();
  }

  /** −Σ log-softmax terms of the label-smoothed CE, in double, from raw logits [L, V] of one unpadded sequence. */
  static double smoothedSequenceLoss(float[] logits, int v, long[] ids) {
    double total = 0;
    for (int t = 0; t + 1 < ids.length; t++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < v; j++) {
        max = Math.max(max, logits[t * v + j]);
      }
      double sum = 0;
      for (int j = 0; j < v; j++) {
        sum += Math.exp(logits[t * v + j] - max);
      }
      double logZ = max + Math.log(sum);
      double meanNegLogp = 0;
      for (int j = 0; j < v; j++) {
        meanNegLogp += logZ - logits[t * v + j];
      }
      meanNegLogp /= v;
      double nll = logZ - logits[t * v + (int) ids[t + 1]];
      total += (1 - TextDecoder.LABEL_SMOOTHING) * nll + TextDecoder.LABEL_SMOOTHING * meanNegLogp;
    }
    return total;
  }

  /** The loss of one (image, question, answer) alone: no padding anywhere. */
  static double pairLoss(VqaModel vqa, NDManager m, float[] pixels, String question, String answer) {
    BertTokenizer tok = vqa.tokenizer();
    BlipVqaModel model = vqa.model();
    long[] q = toLong(tok.encode(PreCaption.preQuestion(question)).withFirstToken(tok.encId()).inputIds());
    long[] a = toLong(tok.encode(answer).withFirstToken(tok.decId()).inputIds());
    int s = vqa.preprocessor().size();
    NDArray embeds = model.imageEmbeds(m.create(pixels, new Shape(1, 3, s, s)));
    NDArray states = model.questionStates(embeds, m.create(q, new Shape(1, q.length)), m.ones(new Shape(1, q.length), ai.djl.ndarray.types.DataType.INT64));
    TextDecoder dec = model.textDecoder();
    float[] logits = dec.forward(m.create(a, new Shape(1, a.length)), null, dec.bert().crossContext(states, null), null, false, false).logits().toFloatArray();
    return smoothedSequenceLoss(logits, logits.length / a.length, a);
  }

  static long[] toLong(int[] v) {
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  @Test
  void batchLossIsWeightedSumOfPerAnswerLossesOverBatchSize() throws Exception {
    try (VqaModel vqa = VqaModel.load(Fixtures.fixture("vqa"));
        VqaFinetuning ft = new VqaFinetuning(vqa.model(), vqa.model().parameters().manager().getParentManager(), noDropout(0f),
            BertTokenizer.bertBaseUncased())) {
      Blip4j.inferenceThread();
      List<VqaFinetuning.Item> items = List.of(
          new VqaFinetuning.Item(vqa.preprocessor().pixelValues(solid(RGB[0])), "What is the woman holding?", List.of("a helmet", "helmet", "a helmet")),
          new VqaFinetuning.Item(vqa.preprocessor().pixelValues(solid(RGB[1])), "How many cats?", List.of("two")));
      try (NDManager m = NDManager.newBaseManager()) {
        double batched = ft.loss(m, items).getFloat();
        double expected = (2.0 / 3 * pairLoss(vqa, m, items.get(0).pixels(), items.get(0).question(), "a helmet")
            + 1.0 / 3 * pairLoss(vqa, m, items.get(0).pixels(), items.get(0).question(), "helmet")
            + pairLoss(vqa, m, items.get(1).pixels(), items.get(1).question(), "two")) / 2;
        assertThat(batched).isCloseTo(expected, within(1e-4 * Math.abs(expected)));
      }
    }
  }

  @Test
  void fineTunedModelAnswersItsTrainingQuestionsInGenerateAndRankMode() throws Exception {
    try (VqaModel vqa = VqaModel.load(Fixtures.fixture("vqa"))) {
      List<RgbImage> images = new ArrayList<>();
      List<String> questions = new ArrayList<>();
      List<String> answers = new ArrayList<>();
      for (int i = 0; i < COLOR.length; i++) { // the answer depends on the image ...
        images.add(solid(RGB[i]));
        questions.add("what color is this?");
        answers.add(COLOR[i]);
      }
      for (int i = 0; i < 2; i++) { // ... and on the question
        images.add(solid(RGB[i]));
        questions.add("is this blue?");
        answers.add(i == 1 ? "yes" : "no");
      }
      List<VqaFinetuning.Item> items = new ArrayList<>();
      for (int i = 0; i < images.size(); i++) {
        items.add(new VqaFinetuning.Item(vqa.preprocessor().pixelValues(images.get(i)), questions.get(i), List.of(answers.get(i))));
      }
      double first;
      double last = 0;
      // the three 30k-row vocabulary matrices stay frozen: they dominate the optimiser's time on this tiny model
      VqaFinetuning.Options opts = new VqaFinetuning.Options(0.05f, 1f, 35, 0f, 0f, Pattern.compile(".*word_embeddings.*|.*cls\\.predictions\\.decoder\\.weight"));
      try (VqaFinetuning ft = new VqaFinetuning(vqa.model(), vqa.model().parameters().manager().getParentManager(), opts,
          BertTokenizer.bertBaseUncased())) {
        first = ft.step(items, new StepContext(0, 0, 0, 1, 2e-3f, new SplittableRandom(1))).losses().get("loss");
        for (int s = 1; s < 40; s++) {
          last = ft.step(items, new StepContext(s, s, 0, 1, 2e-3f, new SplittableRandom(s))).losses().get("loss");
        }
      }
      System.out.printf("VQA fine-tuning loss %.3f -> %.3f%n", first, last);
      assertThat(last).isLessThan(0.3 * first);
      List<String> asked = questions.stream().map(PreCaption::preQuestion).toList();
      List<VqaModel.Answer> generated = vqa.answerDecoded(images, asked, VqaModel.defaultGeneration());
      List<VqaModel.RankedAnswer> ranked = vqa.answerRankedDecoded(images, asked, vqa.candidates(ANSWER_LIST), 3);
      for (int i = 0; i < images.size(); i++) {
        assertThat(generated.get(i).answer()).as("generated answer %d to %s", i, questions.get(i)).isEqualTo(answers.get(i));
        assertThat(ranked.get(i).answer()).as("ranked answer %d to %s", i, questions.get(i)).isEqualTo(answers.get(i));
        assertThat(ranked.get(i).index()).isEqualTo(ANSWER_LIST.indexOf(answers.get(i)));
      }
    }
  }
}
