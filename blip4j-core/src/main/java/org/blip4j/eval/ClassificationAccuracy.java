package org.blip4j.eval;

/**
 * Accuracy of a classifier as BLIP reports it for NLVR2 ({@code train_nlvr.py evaluate}: the
 * fraction of examples whose arg-max prediction equals the label, averaged over all examples — the
 * per-batch meter is weighted by batch size, so batching changes it only by float rounding). Use {@link #of} for
 * whole arrays or an instance to accumulate batch by batch. Instances are not thread-safe.
 */
public final class ClassificationAccuracy {
  private long correct;
  private long total;

  /** An empty accumulator. */
  public ClassificationAccuracy() {}

  /** Fraction of positions where {@code predicted[i] == labels[i]}, in [0, 1]. */
  public static double of(int[] predicted, int[] labels) {
    ClassificationAccuracy acc = new ClassificationAccuracy();
    acc.add(predicted, labels);
    return acc.value();
  }

  /** Adds one batch. */
  public ClassificationAccuracy add(int[] predicted, int[] labels) {
    if (predicted.length != labels.length) {
      throw new IllegalArgumentException(predicted.length + " predictions for " + labels.length + " labels");
    }
    for (int i = 0; i < predicted.length; i++) {
      correct += predicted[i] == labels[i] ? 1 : 0;
    }
    total += predicted.length;
    return this;
  }

  /** Adds one example. */
  public ClassificationAccuracy add(int predicted, int label) {
    correct += predicted == label ? 1 : 0;
    total++;
    return this;
  }

  /** Arg-max of each row of logits (first maximum on ties, as {@code torch.argmax}/{@code max(1)}). */
  public static int[] argmax(float[][] logits) {
    int[] out = new int[logits.length];
    for (int i = 0; i < logits.length; i++) {
      int best = 0;
      for (int j = 1; j < logits[i].length; j++) {
        if (logits[i][j] > logits[i][best]) {
          best = j;
        }
      }
      out[i] = best;
    }
    return out;
  }

  /** Examples counted so far. */
  public long total() {
    return total;
  }

  /** Correct examples so far. */
  public long correct() {
    return correct;
  }

  /** {@code correct / total}. */
  public double value() {
    if (total == 0) {
      throw new IllegalStateException("accuracy of zero examples is undefined");
    }
    return (double) correct / total;
  }
}
