package org.blip4j.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CIDEr-D as pycocoevalcap's {@code Cider} computes it (Vedantam et al. 2015; the scorer named
 * "CIDEr" in COCO evaluation, {@code n = 4}, {@code sigma = 6}). Words are {@code str.split()}. The
 * document frequency {@code df(g)} of an n-gram is the number of EVALUATED images whose references
 * contain it and {@code N} the number of evaluated images, so scores depend on the whole set. A
 * caption's order-n vector weighs each n-gram {@code tf(g) * (log N - log max(1, df(g)))}; its
 * length is its number of bigrams. For candidate c, reference r, order n:
 *
 * <pre>sim_n = sum_{g in c} min(w_c(g), w_r(g)) * w_r(g) / (|w_c| |w_r|) * e^(-(len_c - len_r)^2 / (2 sigma^2))</pre>
 *
 * (no division when either norm is 0). Per image {@code CIDEr = mean_n(sum_r sim_n) / #refs * 10};
 * corpus = mean over images. Summation orders follow the Python so that results agree to the last
 * bits. Inputs are already-tokenized strings (see {@link PtbTokenizer}).
 */
public final class CiderD {
  /** Maximum n-gram order. */
  public static final int N = 4;
  /** Length penalty's standard deviation. */
  public static final double SIGMA = 6.0;

  private CiderD() {}

  /**
   * Scores.
   *
   * @param corpus mean of the per-image scores
   * @param perImage per image, input order
   * @param sumOverRefsPerN per image, the four per-order sums over references before averaging
   * @param logNumImages {@code log N}
   */
  public record Result(double corpus, double[] perImage, List<double[]> sumOverRefsPerN, double logNumImages) {}

  /** Scores index-aligned tokenized references and candidates; the df set is these images. */
  public static Result score(List<? extends List<String>> references, List<String> candidates) {
    CaptionScorers.checkAligned(references, candidates);
    List<List<NGrams>> refs = new ArrayList<>();
    for (List<String> r : references) {
      List<NGrams> cooked = new ArrayList<>(r.size());
      for (String s : r) {
        cooked.add(NGrams.of(s, N));
      }
      refs.add(cooked);
    }
    Map<String, Integer> df = new HashMap<>();
    for (List<NGrams> image : refs) {
      Set<String> seen = new HashSet<>();
      for (NGrams ref : image) {
        for (Map<String, Integer> order : ref.counts) {
          seen.addAll(order.keySet());
        }
      }
      for (String g : seen) {
        df.merge(g, 1, Integer::sum);
      }
    }
    double logN = Math.log((double) refs.size());
    double[] per = new double[candidates.size()];
    List<double[]> sums = new ArrayList<>(candidates.size());
    for (int i = 0; i < per.length; i++) {
      Vec c = new Vec(NGrams.of(candidates.get(i), N), df, logN);
      double[] sum = new double[N];
      for (NGrams ref : refs.get(i)) {
        Vec r = new Vec(ref, df, logN);
        double[] s = sim(c, r);
        for (int n = 0; n < N; n++) {
          sum[n] += s[n];
        }
      }
      sums.add(sum);
      double avg = PyMath.npMean(sum);
      avg /= refs.get(i).size();
      avg *= 10.0;
      per[i] = avg;
    }
    return new Result(PyMath.npMean(per), per, sums, logN);
  }

  /** {@code counts2vec}: tf-idf weights per order, their norms, and the bigram count. */
  private static final class Vec {
    final List<Map<String, Double>> weights = new ArrayList<>(N);
    final double[] norm = new double[N];
    final int length;

    Vec(NGrams grams, Map<String, Integer> df, double logN) {
      int len = 0;
      for (int n = 0; n < N; n++) {
        Map<String, Double> w = new LinkedHashMap<>();
        double sq = 0.0;
        for (Map.Entry<String, Integer> e : grams.counts.get(n).entrySet()) {
          double idf = Math.log(Math.max(1.0, df.getOrDefault(e.getKey(), 0)));
          double v = (double) e.getValue() * (logN - idf);
          w.put(e.getKey(), v);
          sq += v * v;
          if (n == 1) {
            len += e.getValue();
          }
        }
        weights.add(w);
        norm[n] = Math.sqrt(sq);
      }
      length = len;
    }
  }

  private static double[] sim(Vec hyp, Vec ref) {
    double delta = (double) (hyp.length - ref.length);
    double[] val = new double[N];
    for (int n = 0; n < N; n++) {
      Map<String, Double> refWeights = ref.weights.get(n);
      for (Map.Entry<String, Double> e : hyp.weights.get(n).entrySet()) {
        double r = refWeights.getOrDefault(e.getKey(), 0.0);
        val[n] += Math.min(e.getValue(), r) * r;
      }
      if (hyp.norm[n] != 0 && ref.norm[n] != 0) {
        val[n] /= (hyp.norm[n] * ref.norm[n]);
      }
      val[n] *= Math.pow(Math.E, -(delta * delta) / (2 * SIGMA * SIGMA));
    }
    return val;
  }
}
