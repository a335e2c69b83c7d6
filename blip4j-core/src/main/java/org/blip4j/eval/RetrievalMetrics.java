package org.blip4j.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Image-text retrieval recall as salesforce/BLIP's {@code itm_eval} (train_retrieval.py) computes it,
 * in percent. Image to text: for image i, row i of {@code scoresI2t} (images x texts) sorted by
 * descending score; its rank is the best position of any of its texts {@code img2txt[i]}; {@code
 * txt_rK = 100 * #(rank < K) / nImages}. Text to image: for text t, the position of its image
 * {@code txt2img[t]} in row t of {@code scoresT2i} (texts x images); {@code img_rK = 100 * #(rank <
 * K) / nTexts}. {@code txt_r_mean}, {@code img_r_mean} are the means of R@1/5/10 and {@code r_mean}
 * their mean.
 *
 * <p>Ties: BLIP sorts with {@code np.argsort(score)[::-1]}, whose order among equal scores is
 * numpy's quicksort's; here equal scores are ordered as by a stable ascending sort reversed (the
 * higher column index first). This only matters for a ground truth that ties with others, e.g. the
 * -100 filler outside the {@code k_test} re-ranked entries. An image without texts gets rank {@link
 * Integer#MAX_VALUE} (BLIP: 1e20). NaN scores are rejected.
 */
public final class RetrievalMetrics {
  private RetrievalMetrics() {}

  /**
   * Recall values (percent) and the ranks they come from.
   *
   * @param ranksI2t per image, the best 0-based position of one of its texts
   * @param ranksT2i per text, the 0-based position of its image
   */
  public record Result(
      double txtR1,
      double txtR5,
      double txtR10,
      double imgR1,
      double imgR5,
      double imgR10,
      double txtRMean,
      double imgRMean,
      double rMean,
      int[] ranksI2t,
      int[] ranksT2i) {

    /** BLIP's {@code eval_result} dictionary, in its key order. */
    public Map<String, Double> toMap() {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("txt_r1", txtR1);
      m.put("txt_r5", txtR5);
      m.put("txt_r10", txtR10);
      m.put("txt_r_mean", txtRMean);
      m.put("img_r1", imgR1);
      m.put("img_r5", imgR5);
      m.put("img_r10", imgR10);
      m.put("img_r_mean", imgRMean);
      m.put("r_mean", rMean);
      return Collections.unmodifiableMap(m);
    }
  }

  /**
   * Computes recall from the two score matrices and the ground truth.
   *
   * @param scoresI2t images x texts
   * @param scoresT2i texts x images
   * @param txt2img the image of each text
   * @param img2txt the texts of each image
   * @throws IllegalArgumentException when shapes or ids disagree or a score is NaN
   */
  public static Result compute(double[][] scoresI2t, double[][] scoresT2i, int[] txt2img, int[][] img2txt) {
    int nImages = scoresI2t.length;
    int nTexts = scoresT2i.length;
    if (nImages == 0 || nTexts == 0) {
      throw new IllegalArgumentException("empty score matrix: " + nImages + " images, " + nTexts + " texts");
    }
    if (img2txt.length != nImages || txt2img.length != nTexts) {
      throw new IllegalArgumentException(
          "ground truth sizes img2txt " + img2txt.length + ", txt2img " + txt2img.length
              + " do not match " + nImages + " images x " + nTexts + " texts");
    }
    int[] ranksI2t = new int[nImages];
    for (int i = 0; i < nImages; i++) {
      double[] row = checkRow(scoresI2t[i], nTexts, "scoresI2t", i);
      int best = Integer.MAX_VALUE;
      for (int t : img2txt[i]) {
        checkIndex(t, nTexts, "img2txt[" + i + "]");
        best = Math.min(best, position(row, t));
      }
      ranksI2t[i] = best;
    }
    int[] ranksT2i = new int[nTexts];
    for (int t = 0; t < nTexts; t++) {
      double[] row = checkRow(scoresT2i[t], nImages, "scoresT2i", t);
      checkIndex(txt2img[t], nImages, "txt2img[" + t + "]");
      ranksT2i[t] = position(row, txt2img[t]);
    }
    double tr1 = recall(ranksI2t, 1);
    double tr5 = recall(ranksI2t, 5);
    double tr10 = recall(ranksI2t, 10);
    double ir1 = recall(ranksT2i, 1);
    double ir5 = recall(ranksT2i, 5);
    double ir10 = recall(ranksT2i, 10);
    double trMean = (tr1 + tr5 + tr10) / 3;
    double irMean = (ir1 + ir5 + ir10) / 3;
    return new Result(tr1, tr5, tr10, ir1, ir5, ir10, trMean, irMean, (trMean + irMean) / 2, ranksI2t, ranksT2i);
  }

  /** {@link #compute(double[][], double[][], int[], int[][])} for float32 score matrices. */
  public static Result compute(float[][] scoresI2t, float[][] scoresT2i, int[] txt2img, int[][] img2txt) {
    return compute(widen(scoresI2t), widen(scoresT2i), txt2img, img2txt);
  }

  /** Position of column {@code g} when the row is sorted descending (ties: higher index first). */
  static int position(double[] row, int g) {
    double s = row[g];
    int pos = 0;
    for (int j = 0; j < row.length; j++) {
      if (row[j] > s || (row[j] == s && j > g)) {
        pos++;
      }
    }
    return pos;
  }

  /** {@code 100.0 * len(np.where(ranks < k)[0]) / len(ranks)}. */
  private static double recall(int[] ranks, int k) {
    int hits = 0;
    for (int r : ranks) {
      hits += r < k ? 1 : 0;
    }
    return 100.0 * hits / ranks.length;
  }

  private static double[] checkRow(double[] row, int expected, String name, int index) {
    if (row.length != expected) {
      throw new IllegalArgumentException(name + " row " + index + " has " + row.length + " columns, expected " + expected);
    }
    for (int j = 0; j < row.length; j++) {
      if (Double.isNaN(row[j])) {
        throw new IllegalArgumentException(name + "[" + index + "][" + j + "] is NaN");
      }
    }
    return row;
  }

  private static void checkIndex(int v, int n, String what) {
    if (v < 0 || v >= n) {
      throw new IllegalArgumentException(what + " = " + v + " is outside 0.." + (n - 1));
    }
  }

  private static double[][] widen(float[][] m) {
    double[][] out = new double[m.length][];
    for (int i = 0; i < m.length; i++) {
      out[i] = new double[m[i].length];
      for (int j = 0; j < m[i].length; j++) {
        out[i][j] = m[i][j];
      }
    }
    return out;
  }
}
