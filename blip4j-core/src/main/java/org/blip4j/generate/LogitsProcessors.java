package org.blip4j.generate;

import java.util.Arrays;

/** HF logits processors and warpers applied in Java to one row of scores (in place). */
final class LogitsProcessors {
  private LogitsProcessors() {}

  /** Repetition penalty then min-length, as HF's processor list orders them. */
  static void process(float[] scores, int off, int vocab, long[] sequence, int length, GenerationConfig cfg, int eos) {
    if (cfg.repetitionPenalty() != 1f) {
      boolean[] seen = new boolean[vocab];
      for (int i = 0; i < length; i++) {
        int t = (int) sequence[i];
        if (t >= 0 && t < vocab && !seen[t]) {
          seen[t] = true;
          float s = scores[off + t];
          scores[off + t] = s < 0 ? s * cfg.repetitionPenalty() : s / cfg.repetitionPenalty();
        }
      }
    }
    if (length < cfg.minLength() && eos >= 0 && eos < vocab) {
      scores[off + eos] = Float.NEGATIVE_INFINITY;
    }
  }

  /** Temperature, top-k, top-p (HF warper order); removed tokens become -inf. */
  static void warp(float[] scores, int off, int vocab, GenerationConfig cfg) {
    if (cfg.temperature() != 1f) {
      for (int i = 0; i < vocab; i++) {
        scores[off + i] = scores[off + i] / cfg.temperature();
      }
    }
    if (cfg.topK() > 0 && cfg.topK() < vocab) {
      float[] sorted = Arrays.copyOfRange(scores, off, off + vocab);
      Arrays.sort(sorted);
      float kth = sorted[vocab - cfg.topK()];
      for (int i = 0; i < vocab; i++) {
        if (scores[off + i] < kth) {
          scores[off + i] = Float.NEGATIVE_INFINITY;
        }
      }
    }
    if (cfg.topP() < 1f) {
      // tokens already at -inf carry no mass: sorting only the finite ones gives HF's result
      int n = 0;
      int[] idx = new int[vocab];
      for (int i = 0; i < vocab; i++) {
        if (scores[off + i] != Float.NEGATIVE_INFINITY) {
          idx[n++] = i;
        }
      }
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = idx[i];
      }
      Arrays.sort(order, (a, b) -> Float.compare(scores[off + a], scores[off + b])); // ascending, stable
      double max = scores[off + order[n - 1]];
      double sum = 0;
      double[] p = new double[n];
      for (int i = 0; i < n; i++) {
        p[i] = Math.exp(scores[off + order[i]] - max);
        sum += p[i];
      }
      double cum = 0;
      for (int i = 0; i < n - 1; i++) { // the most likely token is always kept
        cum += p[i] / sum;
        if (cum <= 1.0 - cfg.topP()) {
          scores[off + order[i]] = Float.NEGATIVE_INFINITY;
        }
      }
    }
  }
}
