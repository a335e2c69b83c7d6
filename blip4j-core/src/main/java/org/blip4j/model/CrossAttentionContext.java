package org.blip4j.model;

import ai.djl.ndarray.NDArray;

/**
 * What the text transformer cross-attends to: per layer the keys/values of the encoder states
 * (image tokens, or question states for the VQA answer decoder), computed ONCE and reused for every
 * decoding step, every beam and every text paired with the same image, plus the additive encoder
 * mask. A query batch may be any multiple of the context batch: each run of consecutive query rows
 * shares one context row (see {@link org.blip4j.nn.Attention}).
 *
 * @param keys per layer [G, H, N, d]
 * @param values per layer [G, H, N, d]
 * @param mask additive [G, 1, 1, N], or null when every position is visible
 */
public record CrossAttentionContext(NDArray[] keys, NDArray[] values, NDArray mask) {

  /** Number of context rows G. */
  public long batch() {
    return keys[0].getShape().get(0);
  }
}
