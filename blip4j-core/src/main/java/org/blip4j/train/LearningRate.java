package org.blip4j.train;

/**
 * BLIP's learning-rate recipes: linear warm-up from {@code warmupLr} to {@code initLr} over the
 * first {@code warmupSteps}, then either step decay ({@code initLr · rate^epoch}, pre-training) or
 * cosine ({@code (init − min)·½(1 + cos(π·epoch/epochs)) + min}, fine-tuning), never below {@code minLr};
 * or {@code cosine_steps}, the same cosine over the {@code steps} after the warm-up instead of over
 * epochs (timm's per-step schedule, for the vision warm-up, whose runs are a few long epochs).
 */
public record LearningRate(String kind, float initLr, float minLr, float warmupLr, long warmupSteps, float decayRate, int epochs, long steps) {

  /** Validates. */
  public LearningRate {
    if (!kind.equals("step") && !kind.equals("cosine") && !kind.equals("cosine_steps")) {
      throw new IllegalArgumentException("learning-rate schedule must be 'step', 'cosine' or 'cosine_steps', got '" + kind + "'");
    }
    if (kind.equals("cosine_steps") && steps <= warmupSteps) {
      throw new IllegalArgumentException("the 'cosine_steps' schedule needs more steps (max_steps) than warm-up steps, got " + steps + " and " + warmupSteps);
    }
  }

  /** A schedule over epochs (no step count). */
  public LearningRate(String kind, float initLr, float minLr, float warmupLr, long warmupSteps, float decayRate, int epochs) {
    this(kind, initLr, minLr, warmupLr, warmupSteps, decayRate, epochs, 0);
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
    double lr = switch (kind) {
      case "step" -> initLr * Math.pow(decayRate, epoch);
      case "cosine" -> (initLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * epoch / Math.max(1, epochs))) + minLr;
      default -> (initLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, (step - warmupSteps) / (double) (steps - warmupSteps)))) + minLr;
    };
    return (float) Math.max(minLr, lr);
  }
}
