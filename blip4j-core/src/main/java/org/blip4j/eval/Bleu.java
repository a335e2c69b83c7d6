package org.blip4j.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BLEU-1..4 as pycocoevalcap computes it ({@code Bleu(4)} / {@code BleuScorer.compute_score(option=
 * "closest")}, after Papineni et al. 2002): words are {@code str.split()}; per image the candidate's
 * n-gram counts are clipped by the largest count of that n-gram in any ONE reference ({@code
 * correct}), {@code guess = max(0, testlen - n + 1)}, and the reference length is the one closest to
 * the candidate length (ties: the shorter). With {@code tiny = 1e-15}, {@code small = 1e-9}:
 *
 * <pre>BLEU_n = prod_{k<=n} ((correct_k + tiny) / (guess_k + small)) ** (1/n)</pre>
 *
 * times {@code exp(1 - 1/ratio)} when {@code ratio = (testlen + tiny) / (reflen + small) < 1}. The
 * corpus score applies the same formula to the counts summed over all images (it is not a mean of
 * the per-image scores); per-image scores are never exactly 0 unless the brevity factor underflows.
 * Inputs are already-tokenized strings (see {@link PtbTokenizer}).
 */
public final class Bleu {
  /** Maximum n-gram order. */
  public static final int N = 4;

  static final double TINY = 1e-15;
  static final double SMALL = 1e-9;

  private Bleu() {}

  /** The counts of one image, as in {@code bleu_details}. */
  public record ImageCounts(int testLength, List<Integer> refLengths, int closestRefLength, int[] guess, int[] correct) {}

  /**
   * Scores and counts.
   *
   * @param corpus BLEU-1..4 of the corpus (index n-1)
   * @param perImage per image (input order), BLEU-1..4
   * @param counts per image (input order)
   * @param totalTestLength summed candidate lengths
   * @param totalRefLength summed closest reference lengths
   * @param totalGuess summed {@code guess} per order
   * @param totalCorrect summed {@code correct} per order
   */
  public record Result(
      double[] corpus,
      List<double[]> perImage,
      List<ImageCounts> counts,
      long totalTestLength,
      long totalRefLength,
      long[] totalGuess,
      long[] totalCorrect) {}

  /**
   * Scores one candidate per image against that image's references (index-aligned lists of
   * tokenized strings).
   *
   * @throws IllegalArgumentException when the lists differ in length or an image has no reference
   */
  public static Result score(List<? extends List<String>> references, List<String> candidates) {
    CaptionScorers.checkAligned(references, candidates);
    List<double[]> perImage = new ArrayList<>(candidates.size());
    List<ImageCounts> counts = new ArrayList<>(candidates.size());
    long testTotal = 0;
    long refTotal = 0;
    long[] guessTotal = new long[N];
    long[] correctTotal = new long[N];
    for (int img = 0; img < candidates.size(); img++) {
      ImageCounts c = count(references.get(img), candidates.get(img));
      counts.add(c);
      testTotal += c.testLength();
      refTotal += c.closestRefLength();
      for (int k = 0; k < N; k++) {
        guessTotal[k] += c.guess()[k];
        correctTotal[k] += c.correct()[k];
      }
      perImage.add(bleu(c.testLength(), c.closestRefLength(), toLong(c.guess()), toLong(c.correct())));
    }
    double[] corpus = bleu(testTotal, refTotal, guessTotal, correctTotal);
    return new Result(corpus, perImage, counts, testTotal, refTotal, guessTotal, correctTotal);
  }

  /** {@code cook_refs} + {@code cook_test} for one image. */
  static ImageCounts count(List<String> refs, String candidate) {
    List<Integer> refLengths = new ArrayList<>(refs.size());
    Map<String, Integer> maxCounts = new HashMap<>();
    for (String ref : refs) {
      NGrams g = NGrams.of(ref, N);
      refLengths.add(g.length);
      for (Map<String, Integer> order : g.counts) {
        order.forEach((ngram, count) -> maxCounts.merge(ngram, count, Math::max));
      }
    }
    NGrams test = NGrams.of(candidate, N);
    int testLength = test.length;
    int closest = refLengths.get(0);
    for (int l : refLengths) {
      int d = Math.abs(l - testLength);
      int best = Math.abs(closest - testLength);
      if (d < best || (d == best && l < closest)) {
        closest = l;
      }
    }
    int[] guess = new int[N];
    int[] correct = new int[N];
    for (int k = 0; k < N; k++) {
      guess[k] = Math.max(0, testLength - k);
      for (Map.Entry<String, Integer> e : test.counts.get(k).entrySet()) {
        correct[k] += Math.min(maxCounts.getOrDefault(e.getKey(), 0), e.getValue());
      }
    }
    return new ImageCounts(testLength, List.copyOf(refLengths), closest, guess, correct);
  }

  /** The BLEU formula of {@code compute_score} on one set of counts. */
  static double[] bleu(long testLength, long refLength, long[] guess, long[] correct) {
    double[] out = new double[N];
    double product = 1.;
    for (int k = 0; k < N; k++) {
      product *= ((double) correct[k] + TINY) / ((double) guess[k] + SMALL);
      out[k] = Math.pow(product, 1. / (k + 1));
    }
    double ratio = (testLength + TINY) / (refLength + SMALL);
    if (ratio < 1) {
      double brevity = Math.exp(1 - 1 / ratio);
      for (int k = 0; k < N; k++) {
        out[k] *= brevity;
      }
    }
    return out;
  }

  private static long[] toLong(int[] a) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }
}
