package org.blip4j.eval;

import java.util.List;

/**
 * ROUGE-L as pycocoevalcap computes it ({@code Rouge}, after Lin 2004): tokens are {@code
 * str.split(" ")} (an empty caption is one empty token); for each reference the longest common
 * subsequence {@code l} gives {@code P = l / len(cand)}, {@code R = l / len(ref)}; with {@code
 * Pmax}, {@code Rmax} the maxima over the references taken separately and {@code beta = 1.2}:
 *
 * <pre>score = (1 + beta^2) Pmax Rmax / (Rmax + beta^2 Pmax)</pre>
 *
 * or 0 when either maximum is 0. Corpus score = mean over images ({@code np.mean}). Inputs are
 * already-tokenized strings (see {@link PtbTokenizer}).
 */
public final class RougeL {
  /** The F-measure's beta. */
  public static final double BETA = 1.2;

  private RougeL() {}

  /**
   * Scores.
   *
   * @param corpus mean of the per-image scores
   * @param perImage per image, input order
   */
  public record Result(double corpus, double[] perImage) {}

  /** Scores index-aligned tokenized references and candidates. */
  public static Result score(List<? extends List<String>> references, List<String> candidates) {
    CaptionScorers.checkAligned(references, candidates);
    double[] per = new double[candidates.size()];
    for (int i = 0; i < per.length; i++) {
      per[i] = score(references.get(i), candidates.get(i));
    }
    return new Result(PyMath.npMean(per), per);
  }

  /** {@code Rouge.calc_score} for one candidate. */
  public static double score(List<String> references, String candidate) {
    List<String> c = PyStr.split(candidate, ' ');
    double precMax = Double.NEGATIVE_INFINITY;
    double recMax = Double.NEGATIVE_INFINITY;
    for (String reference : references) {
      List<String> r = PyStr.split(reference, ' ');
      int lcs = lcs(r, c);
      precMax = Math.max(precMax, lcs / (double) c.size());
      recMax = Math.max(recMax, lcs / (double) r.size());
    }
    if (precMax != 0 && recMax != 0) {
      double b2 = BETA * BETA;
      return ((1 + b2) * precMax * recMax) / (recMax + b2 * precMax);
    }
    return 0.0;
  }

  /** Length of the longest common subsequence of two token lists. */
  static int lcs(List<String> a, List<String> b) {
    int[] prev = new int[b.size() + 1];
    int[] cur = new int[b.size() + 1];
    for (int i = 1; i <= a.size(); i++) {
      for (int j = 1; j <= b.size(); j++) {
        cur[j] = a.get(i - 1).equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.size()];
  }
}
