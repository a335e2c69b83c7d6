package org.blip4j.data.shapes;

/** Progress of {@link ShapesGenerator}; called from worker threads, possibly concurrently. */
@FunctionalInterface
public interface ShapesProgressListener {
  /** {@code done} of {@code total} images are written. */
  void progress(int done, int total);

  /** A listener that ignores progress. */
  static ShapesProgressListener none() {
    return (done, total) -> {};
  }
}
