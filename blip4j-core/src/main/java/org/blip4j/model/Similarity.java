package org.blip4j.model;

import ai.djl.ndarray.NDArray;
import org.blip4j.nn.ParameterStore;

/** ITC helpers: L2 normalisation (as {@code F.normalize}, eps 1e-12) and cosine similarity. */
public final class Similarity {
  private Similarity() {}

  /** x / max(||x||₂, 1e-12) along the last axis. */
  public static NDArray l2Normalize(NDArray x) {
    NDArray norm = x.square().sum(new int[] {-1}, true).sqrt().maximum(ParameterStore.scalar(x.getManager(), 1e-12f));
    return x.div(norm);
  }

  /** Cosine matrix [A, B] of normalised features a [A, D] and b [B, D]. */
  public static NDArray cosine(NDArray a, NDArray b) {
    return a.matMul(b.transpose());
  }
}
