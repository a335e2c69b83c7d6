package org.blip4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;

/**
 * The decoder's self-attention key/value cache: per layer [B, H, T, d], grown by one step at a time
 * and re-indexed when beam search reorders its beams. Arrays held here are unregistered from any
 * {@link NDScope} so that a per-step scope can free the step's temporaries; the cache's arrays are
 * freed by {@link #close()} or with their manager.
 */
public final class KvCache implements AutoCloseable {
  private final NDArray[] keys;
  private final NDArray[] values;

  /** An empty cache for {@code layers} layers. */
  public KvCache(int layers) {
    keys = new NDArray[layers];
    values = new NDArray[layers];
  }

  /** Cached length T (0 when empty). */
  public long length() {
    return keys[0] == null ? 0 : keys[0].getShape().get(2);
  }

  /** Appends this step's keys/values of {@code layer} and returns the full [B, H, T+L, d] pair. */
  NDArray[] append(int layer, NDArray k, NDArray v) {
    NDArray nk = keys[layer] == null ? k : NDArrays.concat(new NDList(keys[layer], k), 2);
    NDArray nv = values[layer] == null ? v : NDArrays.concat(new NDList(values[layer], v), 2);
    replace(layer, nk, nv);
    return new NDArray[] {nk, nv};
  }

  private void replace(int layer, NDArray nk, NDArray nv) {
    NDScope.unregister(nk, nv);
    if (keys[layer] != null && keys[layer] != nk) {
      keys[layer].close();
      values[layer].close();
    }
    keys[layer] = nk;
    values[layer] = nv;
  }

  /** Keeps the rows {@code index} (int64 [B']) of every layer, in that order (beam reordering). */
  public void select(NDArray index) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        replace(i, keys[i].get(index), values[i].get(index));
      }
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        keys[i].close();
        values[i].close();
        keys[i] = null;
        values[i] = null;
      }
    }
  }
}
