package org.blip4j.train;

import java.nio.file.Path;

/** Told about a {@link Trainer}'s progress (console progress bars, tests, services). */
public interface TrainingListener {
  /**
   * A run starts or resumes.
   *
   * @param firstStep the step about to run (0 for a fresh run)
   * @param totalSteps steps of the whole run
   */
  default void started(long firstStep, long totalSteps) {}

  /** A step finished. */
  default void stepped(StepRecord record) {}

  /** A checkpoint was written (and is complete) at {@code dir}. */
  default void checkpointed(long step, Path dir) {}

  /** The run finished all its steps. */
  default void finished(long steps) {}
}
