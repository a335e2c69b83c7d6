package org.blip4j.eval;

import java.util.Arrays;
import java.util.Collection;

/**
 * The scores a detector gave the positives and the negatives of a labelled set (the vision warm-up's
 * label logits, CapFilt's ITM probabilities of clean and noisy web captions), and what they say
 * whatever the threshold: the ROC AUC and the operating point at each threshold, where a score
 * {@code >= t} is accepted (CapFilt keeps a caption whose probability is {@code >= threshold}).
 * Immutable.
 */
public final class BinaryScores {
  private final float[] positives;
  private final float[] negatives;

  /** One threshold's outcome: the share of positives accepted and of negatives rejected. */
  public record OperatingPoint(double threshold, double positivesAccepted, double negativesRejected) {
    /** The worse of the two shares. */
    public double worse() {
      return Math.min(positivesAccepted, negativesRejected);
    }
  }

  /** The scores of the positives and the negatives (NaN scores are refused: they have no rank). */
  public BinaryScores(Collection<Float> positives, Collection<Float> negatives) {
    this.positives = sorted(positives);
    this.negatives = sorted(negatives);
  }

  private static float[] sorted(Collection<Float> scores) {
    float[] a = new float[scores.size()];
    int i = 0;
    for (float x : scores) {
      if (Float.isNaN(x)) {
        throw new IllegalArgumentException("a NaN score has no rank");
      }
      a[i++] = x;
    }
    Arrays.sort(a);
    return a;
  }

  /** ROC AUC: P(score of a positive > score of a negative), ties counted half; NaN when either side is empty. */
  public double auc() {
    double wins = 0;
    for (float x : positives) {
      int below = countBelow(negatives, x, false);
      wins += below + 0.5 * (countBelow(negatives, x, true) - below);
    }
    return wins / ((double) positives.length * negatives.length);
  }

  /** The outcome of accepting scores {@code >= threshold} (a share is NaN when its side is empty). */
  public OperatingPoint at(double threshold) {
    return new OperatingPoint(threshold, (double) (positives.length - countBelow(positives, threshold, false)) / positives.length,
        (double) countBelow(negatives, threshold, false) / negatives.length);
  }

  /**
   * The threshold, among the scores themselves, whose worse share ({@link OperatingPoint#worse()}) is
   * highest — the operating point closest to "accepts X % of positives and rejects X % of negatives";
   * the lowest such threshold on ties. Needs both sides non-empty.
   */
  public OperatingPoint balanced() {
    if (positives.length == 0 || negatives.length == 0) {
      throw new IllegalStateException("a balanced threshold needs positives and negatives");
    }
    OperatingPoint best = null;
    for (float[] side : new float[][] {positives, negatives}) {
      for (float t : side) {
        OperatingPoint p = at(t);
        if (best == null || p.worse() > best.worse() || (p.worse() == best.worse() && t < best.threshold())) {
          best = p;
        }
      }
    }
    return best;
  }

  /** How many of the ascending {@code sorted} are below {@code t} (or equal to it, with {@code orEqual}). */
  private static int countBelow(float[] sorted, double t, boolean orEqual) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < t || (orEqual && sorted[mid] == t)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
