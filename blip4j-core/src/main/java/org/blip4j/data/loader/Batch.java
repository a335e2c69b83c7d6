package org.blip4j.data.loader;

import java.util.List;

/**
 * One batch from a {@link DataLoader}.
 *
 * @param items the transformed samples, in order
 * @param keys the sample keys, parallel to {@code items}
 * @param epoch the epoch the batch belongs to
 * @param cursor where the loader stands after this batch (save it with the checkpoint)
 */
public record Batch<T>(List<T> items, List<String> keys, long epoch, Cursor cursor) {
  public Batch {
    items = List.copyOf(items);
    keys = List.copyOf(keys);
  }

  /** Number of samples in the batch. */
  public int size() {
    return items.size();
  }
}
