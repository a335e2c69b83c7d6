package org.blip4j.eval;

/** Told how far an evaluation has got; called on the evaluating thread. */
@FunctionalInterface
public interface EvalProgress {
  /**
   * Reports progress.
   *
   * @param stage what is being done, e.g. "captioning" or "ITM re-ranking"
   * @param done items of this stage finished
   * @param total items of this stage
   */
  void update(String stage, long done, long total);

  /** Ignores progress. */
  static EvalProgress none() {
    return (stage, done, total) -> {};
  }
}
