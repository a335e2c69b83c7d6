package org.blip4j.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.blip4j.Blip4j;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.RgbImage;
import org.blip4j.model.BlipVqaModel;
import org.blip4j.model.TextDecoder;
import org.blip4j.testing.Fixtures;
import org.blip4j.text.BertTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rank mode ({@code BLIP_VQA.rank_answer}) on the fixture VQA model (random weights) against a
 * brute-force computation written here: every (image, question) encoded ALONE (no padding), every
 * answer of the list scored alone by its label-smoothed sequence log-likelihood from raw logits in
 * double precision, first-token probabilities from a lone {@code [DEC]} step. With k = list size the
 * scores and the arg-max must agree; with a small k the candidates must be the top k by first-token
 * probability and the answer the best of them. Also: the answer-list errors.
 */
class VqaRankTest {
  static final List<String> QUESTIONS = List.of("what is the woman holding?", "how many cats are there", "color?");
  static final List<String> ANSWERS = List.of("a helmet", "helmet", "two", "two cats", "one", "yes", "no", "red", "a small blue circle",
      "umbrella", "three", "skateboarding");
  static List<RgbImage> images;

  @TempDir Path dir;

  @BeforeAll
  static void readImages() throws Exception {
    ImageDecoder d = new ImageDecoder();
    RgbImage a = d.decode(Fixtures.fixture("preprocess/images/astronaut.png"));
    RgbImage c = d.decode(Fixtures.fixture("preprocess/images/chelsea.png"));
    images = List.of(a, c, c);
  }

  /** Brute force for one (image, question): [first-token probability, sequence score] per answer. */
  static double[][] bruteForce(VqaModel vqa, RgbImage image, String question) {
    Blip4j.inferenceThread();
    BertTokenizer tok = vqa.tokenizer();
    BlipVqaModel model = vqa.model();
    TextDecoder dec = model.textDecoder();
    double[][] out = new double[ANSWERS.size()][2];
    try (NDManager m = NDManager.newBaseManager()) {
      long[] q = longs(tok.encode(question).withFirstToken(tok.encId()).inputIds());
      int s = vqa.preprocessor().size();
      NDArray pixels = m.create(vqa.preprocessor().pixelValues(image), new Shape(1, 3, s, s));
      NDArray states = model.questionStates(model.imageEmbeds(pixels), m.create(q, new Shape(1, q.length)), m.ones(new Shape(1, q.length), DataType.INT64));
      float[] start = dec.forward(m.create(new long[] {tok.decId()}, new Shape(1, 1)), null, dec.bert().crossContext(states, null), null, false, false)
          .logits().toFloatArray();
      double[] startLogp = logSoftmax(start, 0, start.length);
      for (int i = 0; i < ANSWERS.size(); i++) {
        long[] a = longs(tok.encode(ANSWERS.get(i)).withFirstToken(tok.decId()).inputIds());
        float[] logits = dec.forward(m.create(a, new Shape(1, a.length)), null, dec.bert().crossContext(states, null), null, false, false).logits()
            .toFloatArray();
        int v = logits.length / a.length;
        double score = 0;
        for (int t = 0; t + 1 < a.length; t++) {
          double[] logp = logSoftmax(logits, t * v, v);
          double mean = 0;
          for (double x : logp) {
            mean += x;
          }
          mean /= v;
          score += (1 - TextDecoder.LABEL_SMOOTHING) * logp[(int) a[t + 1]] + TextDecoder.LABEL_SMOOTHING * mean;
        }
        out[i][0] = Math.exp(startLogp[(int) a[1]]);
        out[i][1] = score;
      }
    }
    return out;
  }

  static double[] logSoftmax(float[] x, int off, int n) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, x[off + i]);
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += Math.exp(x[off + i] - max);
    }
    double logZ = max + Math.log(sum);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = x[off + i] - logZ;
    }
    return out;
  }

  static long[] longs(int[] v) {
    return Arrays.stream(v).asLongStream().toArray();
  }

  static int argmax(double[][] brute, int col, int[] among) {
    int best = among[0];
    for (int i : among) {
      if (brute[i][col] > brute[best][col]) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void rankModeAgreesWithBruteForceScoringOfEveryAnswer() throws Exception {
    try (VqaModel vqa = VqaModel.load(Fixtures.fixture("vqa"))) {
      List<double[][]> brute = new ArrayList<>();
      for (int i = 0; i < QUESTIONS.size(); i++) {
        brute.add(bruteForce(vqa, images.get(i), QUESTIONS.get(i)));
      }
      int[] all = java.util.stream.IntStream.range(0, ANSWERS.size()).toArray();
      // k = list size (and larger: clamped): every answer re-scored, batched questions of different lengths
      for (int k : new int[] {ANSWERS.size(), 1000}) {
        List<VqaModel.RankedAnswer> ranked = vqa.answerRankedDecoded(images, QUESTIONS, vqa.candidates(ANSWERS), k);
        for (int i = 0; i < QUESTIONS.size(); i++) {
          VqaModel.RankedAnswer r = ranked.get(i);
          assertThat(r.candidates()).hasSize(ANSWERS.size());
          for (int j = 0; j < r.candidates().length; j++) {
            double expected = brute.get(i)[r.candidates()[j]][1];
            assertThat((double) r.scores()[j]).as("question %d, answer '%s'", i, ANSWERS.get(r.candidates()[j]))
                .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-3 * Math.max(1, Math.abs(expected))));
          }
          assertThat(r.index()).as("question %d: brute-force arg-max", i).isEqualTo(argmax(brute.get(i), 1, all));
          assertThat(r.answer()).isEqualTo(ANSWERS.get(r.index()));
        }
      }
      // small k: candidates = top k by first-token probability (ties in list order), answer = best of them
      int k = 3;
      List<VqaModel.RankedAnswer> ranked = vqa.answerRankedDecoded(images, QUESTIONS, vqa.candidates(ANSWERS), k);
      boolean restricted = false;
      for (int i = 0; i < QUESTIONS.size(); i++) {
        double[][] b = brute.get(i);
        Integer[] order = Arrays.stream(all).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (x, y) -> Double.compare(b[y][0], b[x][0]));
        double kth = b[order[k - 1]][0];
        VqaModel.RankedAnswer r = ranked.get(i);
        assertThat(r.candidates()).hasSize(k).doesNotHaveDuplicates();
        for (int c : r.candidates()) {
          assertThat(b[c][0]).as("question %d: candidate '%s' is among the top %d first tokens", i, ANSWERS.get(c), k)
              .isGreaterThanOrEqualTo(kth * (1 - 1e-4));
        }
        assertThat(r.index()).isEqualTo(argmax(b, 1, r.candidates()));
        restricted |= r.index() != argmax(b, 1, all);
      }
      System.out.println("rank mode k=3 picked an answer other than the global best for some question: " + restricted);
    }
  }

  @Test
  void badAnswerListsAreRefusedNamingFileAndEntry() throws Exception {
    Path missing = dir.resolve("nope.json");
    assertThatThrownBy(() -> VqaModel.readAnswerList(missing)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("answer list not found").hasMessageContaining(missing.toString());
    Path f = dir.resolve("answer_list.json");
    Files.writeString(f, "[\"yes\", \"no\"");
    assertThatThrownBy(() -> VqaModel.readAnswerList(f)).hasMessageContaining(f.toString()).hasMessageContaining("not valid JSON");
    Files.writeString(f, "{\"answers\": [\"yes\"]}");
    assertThatThrownBy(() -> VqaModel.readAnswerList(f)).hasMessageContaining(f.toString()).hasMessageContaining("expected a JSON array");
    Files.writeString(f, "[\"yes\", 2]");
    assertThatThrownBy(() -> VqaModel.readAnswerList(f)).hasMessageContaining(f.toString()).hasMessageContaining("entry 1 must be a string");
    Files.writeString(f, "[\"yes\", \"  \"]");
    assertThatThrownBy(() -> VqaModel.readAnswerList(f)).hasMessageContaining(f.toString()).hasMessageContaining("entry 1 is blank");
    Files.writeString(f, "[\"yes\", \"no\", \"yes\"]");
    assertThatThrownBy(() -> VqaModel.readAnswerList(f)).hasMessageContaining(f.toString()).hasMessageContaining("\"yes\" is listed twice (entries 0 and 2)");
    Files.writeString(f, "[]");
    assertThatThrownBy(() -> VqaModel.readAnswerList(f)).hasMessageContaining(f.toString()).hasMessageContaining("is empty");
    Files.writeString(f, "[\"yes\", \"no\"]");
    assertThat(VqaModel.readAnswerList(f)).containsExactly("yes", "no");
    try (VqaModel vqa = VqaModel.load(Fixtures.fixture("vqa"))) {
      assertThatThrownBy(() -> vqa.answerRankedDecoded(images.subList(0, 1), QUESTIONS.subList(0, 1), vqa.candidates(List.of("yes")), 0))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k").hasMessageContaining(">= 1");
      assertThatThrownBy(() -> vqa.candidates(List.of())).hasMessageContaining("answer list is empty");
    }
  }
}
