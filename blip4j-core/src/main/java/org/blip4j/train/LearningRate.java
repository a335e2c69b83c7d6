package org.blip4j.train;

/**
 * BLIP's learning-rate recipes: linear warm-up from {@code warmupLr} to {@code initLr} over the
 * first {@code warmupSteps}, then either step decay ({@code initLr · rate^epoch}, pre-training) or
 * cosine ({@code (init − min)·½(1 + cos(π·epoch/epochs)) + min}, fine-tuning), never below {@code minLr}.
 */
public record LearningRate(String kind, float initLr, float minLr, float warmupLr, long warmupSteps, float decayRate, int epochs) {

  /** Validates. */
  public LearningRate {
    if (!kind.equals("step") && !kind.equals("cosine")) {
      throw new IllegalArgumentException("learning-rate schedule must be 'step' or 'cosine', got '" + kind + "'");
    }
  }

  /** BLIP pre-training: init 3e-4 (base), min 1e-6, warm-up from 1e-6 over 3000 steps, ×0.9 per epoch. */
  public static LearningRate pretraining(float initLr, long warmupSteps, int epochs) {
    return new LearningRate("step", initLr, 1e-6f, 1e-6f, warmupSteps, 0.9f, epochs);
  }

  /** The rate at global {@code step} within {@code epoch} (both from 0). */
  public float at(long step, int epoch) {
    if (step < warmupSteps) {
      return (float) Math.min(initLr, warmupLr + (initLr - warmupLr) * step / (double) Math.max(1, warmupSteps));
    }
    double lr = kind.equals("step")
        ? initLr * Math.pow(decayRate, epoch)
        : (initLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * epoch / Math.max(1, epochs))) + minLr;
    return (float) Math.max(minLr, lr);
  }
}
