package org.blip4j.generate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** HF 4.32 {@code BeamHypotheses}: the best finished hypotheses of one batch item. */
final class BeamHypotheses {
  record Hypothesis(long[] tokens, double score) {}

  private final int numBeams;
  private final float lengthPenalty;
  private final boolean earlyStopping;
  private final List<Hypothesis> beams = new ArrayList<>();
  private double worstScore = 1e9;

  BeamHypotheses(int numBeams, float lengthPenalty, boolean earlyStopping) {
    this.numBeams = numBeams;
    this.lengthPenalty = lengthPenalty;
    this.earlyStopping = earlyStopping;
  }

  int size() {
    return beams.size();
  }

  /** Adds a hypothesis (tokens without the final [SEP]) scored sum_logprobs / len^lengthPenalty. */
  void add(long[] tokens, double sumLogprobs) {
    double score = sumLogprobs / Math.pow(tokens.length, lengthPenalty);
    if (beams.size() < numBeams || score > worstScore) {
      beams.add(new Hypothesis(tokens, score));
      if (beams.size() > numBeams) {
        int worst = 0;
        for (int i = 1; i < beams.size(); i++) {
          if (beams.get(i).score() < beams.get(worst).score()) {
            worst = i;
          }
        }
        beams.remove(worst);
        worstScore = Double.POSITIVE_INFINITY;
        for (Hypothesis h : beams) {
          worstScore = Math.min(worstScore, h.score());
        }
      } else {
        worstScore = Math.min(score, worstScore);
      }
    }
  }

  /** HF's completion check with {@code curLen} = current length + 1 (transformers ≥ 4.29). */
  boolean isDone(double bestSumLogprobs, int curLen) {
    if (beams.size() < numBeams) {
      return false;
    }
    if (earlyStopping) {
      return true;
    }
    double cur = bestSumLogprobs / Math.pow(curLen, lengthPenalty);
    return worstScore >= cur;
  }

  /** Hypotheses best first; among equal scores the later-added first (Python's stable sort + pop). */
  List<Hypothesis> bestFirst() {
    List<Hypothesis> sorted = new ArrayList<>(beams);
    sorted.sort(Comparator.comparingDouble(Hypothesis::score)); // stable ascending
    List<Hypothesis> out = new ArrayList<>();
    for (int i = sorted.size() - 1; i >= 0; i--) {
      out.add(sorted.get(i));
    }
    return out;
  }
}
