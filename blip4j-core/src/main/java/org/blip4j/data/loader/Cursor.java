package org.blip4j.data.loader;

/**
 * Where a {@link DataLoader} stands: {@code position} entries of epoch {@code epoch}'s (rank-local)
 * sample order have been consumed. A plain record of two longs, so it serialises to JSON as
 * {@code {"epoch":3,"position":128}} for checkpoints. The end of an epoch is written as
 * {@code (epoch + 1, 0)}.
 */
public record Cursor(long epoch, long position) {
  /** The start of training. */
  public static final Cursor START = new Cursor(0, 0);

  public Cursor {
    if (epoch < 0 || position < 0) {
      throw new IllegalArgumentException("cursor epoch and position must be >= 0, got (" + epoch + ", " + position + ")");
    }
  }
}
