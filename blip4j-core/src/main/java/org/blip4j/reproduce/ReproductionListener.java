package org.blip4j.reproduce;

import org.blip4j.capfilt.CapFiltListener;
import org.blip4j.data.shapes.ShapesProgressListener;
import org.blip4j.eval.EvalProgress;
import org.blip4j.train.TrainingListener;

/** Told how a {@link Reproduction} goes: stages and their inner progress. The core never prints. Called on the pipeline's thread. */
public interface ReproductionListener {
  /** Nothing. */
  ReproductionListener NONE = new ReproductionListener() {};

  /** A stage starts (or resumes an interrupted run of itself). */
  default void stageStarted(String stage, String description) {}

  /** A stage is skipped: its result marker exists. */
  default void stageSkipped(String stage) {}

  /** A stage finished and wrote its result marker. */
  default void stageFinished(String stage, double seconds) {}

  /** Progress of the stage's training, if it trains (null: none). */
  default TrainingListener training(String stage) {
    return null;
  }

  /** Progress of the stage's CapFilt run. */
  default CapFiltListener capfilt(String stage) {
    return CapFiltListener.NONE;
  }

  /** Progress of the stage's evaluations. */
  default EvalProgress eval(String stage) {
    return EvalProgress.none();
  }

  /** Progress of the Shapes world's generation. */
  default ShapesProgressListener shapes() {
    return (done, total) -> {};
  }
}
