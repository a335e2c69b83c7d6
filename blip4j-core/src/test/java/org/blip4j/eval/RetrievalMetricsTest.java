package org.blip4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;

/** {@link RetrievalMetrics} against {@code metrics/retrieval/recall.json} (BLIP itm_eval) and by hand. */
class RetrievalMetricsTest {
  private static final JsonNode CASES = Fixtures.json("metrics/retrieval/recall.json").get("cases");

  @Test
  void itcDenseMatchesExactly() {
    assertCase("itc_dense");
  }

  @Test
  void itmRerankLikeMatchesExactly() {
    assertCase("itm_rerank_like");
  }

  @Test
  void handCase() {
    // 2 images, 4 texts (texts 0,1 -> image 0; texts 2,3 -> image 1)
    // i2t row 0: [0.1, 0.9, 0.8, 0.2] -> text 1 is first: rank 0
    // i2t row 1: [0.7, 0.6, 0.5, 0.4] -> order 0,1,2,3: best of texts 2,3 is position 2
    // txt_r1 = 100 * 1/2 = 50, txt_r5 = txt_r10 = 100
    // t2i rows: t0 [0.9, 0.1] -> 0; t1 [0.2, 0.3] -> 1; t2 [0.4, 0.6] -> 0; t3 [0.5, 0.5] tie:
    //   equal scores, higher index first -> image 1 at position 0
    // img_r1 = 100 * 3/4 = 75, img_r5 = img_r10 = 100
    // txt_r_mean = 250/3, img_r_mean = 275/3, r_mean = (250/3 + 275/3) / 2
    double[][] i2t = {{0.1, 0.9, 0.8, 0.2}, {0.7, 0.6, 0.5, 0.4}};
    double[][] t2i = {{0.9, 0.1}, {0.2, 0.3}, {0.4, 0.6}, {0.5, 0.5}};
    RetrievalMetrics.Result r = RetrievalMetrics.compute(i2t, t2i, new int[] {0, 0, 1, 1}, new int[][] {{0, 1}, {2, 3}});
    assertThat(r.ranksI2t()).containsExactly(0, 2);
    assertThat(r.ranksT2i()).containsExactly(0, 1, 0, 0);
    assertThat(r.txtR1()).isEqualTo(50.0);
    assertThat(r.txtR5()).isEqualTo(100.0);
    assertThat(r.imgR1()).isEqualTo(75.0);
    assertThat(r.imgR10()).isEqualTo(100.0);
    assertThat(r.txtRMean()).isEqualTo((50.0 + 100 + 100) / 3);
    assertThat(r.imgRMean()).isEqualTo((75.0 + 100 + 100) / 3);
    assertThat(r.rMean()).isEqualTo(((50.0 + 100 + 100) / 3 + (75.0 + 100 + 100) / 3) / 2);
    assertThat(r.toMap().keySet())
        .containsExactly("txt_r1", "txt_r5", "txt_r10", "txt_r_mean", "img_r1", "img_r5", "img_r10", "img_r_mean", "r_mean");
  }

  @Test
  void rankBeyondTenDoesNotCount() {
    // one image, 12 texts, its only text (index 0) has the lowest score -> rank 11: R@1/5/10 all 0
    double[] row = {0, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2};
    double[][] t2i = new double[12][1];
    int[] txt2img = new int[12];
    RetrievalMetrics.Result r = RetrievalMetrics.compute(new double[][] {row}, t2i, txt2img, new int[][] {{0}});
    assertThat(r.ranksI2t()).containsExactly(11);
    assertThat(r.txtR10()).isEqualTo(0.0);
    assertThat(r.imgR1()).isEqualTo(100.0);
  }

  @Test
  void badInputIsRejected() {
    assertThatThrownBy(() -> RetrievalMetrics.compute(new double[][] {{Double.NaN}}, new double[][] {{0}}, new int[] {0}, new int[][] {{0}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scoresI2t[0][0] is NaN");
    assertThatThrownBy(() -> RetrievalMetrics.compute(new double[][] {{0}}, new double[][] {{0}}, new int[] {3}, new int[][] {{0}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("txt2img[0] = 3");
  }

  @Test
  void nlvrAccuracyByHand() {
    // 3 of 4 correct -> 0.75; argmax takes the first maximum on ties
    assertThat(ClassificationAccuracy.of(new int[] {1, 0, 1, 1}, new int[] {1, 0, 0, 1})).isEqualTo(0.75);
    assertThat(ClassificationAccuracy.argmax(new float[][] {{0.2f, 0.8f}, {0.5f, 0.5f}, {3f, -1f}})).containsExactly(1, 0, 0);
    // batches of 2 and 3 with 1 and 3 correct -> 4/5, not the mean of the batch accuracies (0.75)
    ClassificationAccuracy acc = new ClassificationAccuracy().add(new int[] {1, 1}, new int[] {1, 0}).add(new int[] {0, 0, 1}, new int[] {0, 0, 1});
    assertThat(acc.value()).isEqualTo(0.8);
    assertThat(acc.total()).isEqualTo(5);
    assertThatThrownBy(() -> new ClassificationAccuracy().value()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ClassificationAccuracy.of(new int[] {1}, new int[] {1, 0})).isInstanceOf(IllegalArgumentException.class);
  }

  private static void assertCase(String name) {
    JsonNode c = null;
    for (JsonNode n : CASES) {
      if (n.get("name").asText().equals(name)) {
        c = n;
      }
    }
    assertThat(c).as("case " + name).isNotNull();
    float[][] i2t = floats(c.get("scores_i2t"));
    float[][] t2i = floats(c.get("scores_t2i"));
    int[] txt2img = ints(c.get("txt2img"));
    int[][] img2txt = new int[c.get("img2txt").size()][];
    for (int i = 0; i < img2txt.length; i++) {
      img2txt[i] = ints(c.get("img2txt").get(i));
    }
    RetrievalMetrics.Result r = RetrievalMetrics.compute(i2t, t2i, txt2img, img2txt);
    Map<String, Double> got = r.toMap();
    for (Map.Entry<String, JsonNode> e : c.get("expected").properties()) {
      assertThat(got.get(e.getKey())).as(name + " " + e.getKey()).isEqualTo(e.getValue().asDouble());
    }
    assertThat(got).hasSize(c.get("expected").size());
    int checked = assertRanks(name + " ranks_i2t", c.get("ranks_i2t"), r.ranksI2t());
    checked += assertRanks(name + " ranks_t2i", c.get("ranks_t2i"), r.ranksT2i());
    assertThat(checked).isGreaterThan(100);
  }

  private static int assertRanks(String what, JsonNode expected, int[] actual) {
    assertThat(actual).hasSize(expected.size());
    int checked = 0;
    for (int i = 0; i < actual.length; i++) {
      if (expected.get(i).isNull()) {
        // tie with the -100 filler: position unspecified, but never inside the top 10
        assertThat(actual[i]).as(what + "[" + i + "]").isGreaterThanOrEqualTo(10);
      } else {
        assertThat(actual[i]).as(what + "[" + i + "]").isEqualTo(expected.get(i).asInt());
        checked++;
      }
    }
    return checked;
  }

  private static float[][] floats(JsonNode m) {
    float[][] out = new float[m.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = new float[m.get(i).size()];
      for (int j = 0; j < out[i].length; j++) {
        double d = m.get(i).get(j).asDouble();
        out[i][j] = (float) d;
        assertThat((double) out[i][j]).isEqualTo(d);
      }
    }
    return out;
  }

  private static int[] ints(JsonNode a) {
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asInt();
    }
    return out;
  }
}
