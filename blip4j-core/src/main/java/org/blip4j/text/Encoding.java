package org.blip4j.text;

import java.util.Arrays;

/**
 * One encoded text: {@code input_ids} (starting with {@code [CLS]}, ending with {@code [SEP]} before
 * any padding) and the matching {@code attention_mask} (1 for real tokens, 0 for padding), as HF's
 * {@code tok(text)} returns them. Immutable: accessors return copies.
 */
public final class Encoding {
  private final int[] inputIds;
  private final int[] attentionMask;

  /**
   * Wraps copies of the two arrays.
   *
   * @throws IllegalArgumentException if their lengths differ
   */
  public Encoding(int[] inputIds, int[] attentionMask) {
    if (inputIds.length != attentionMask.length) {
      throw new IllegalArgumentException(
          "input_ids has " + inputIds.length + " entries but attention_mask has " + attentionMask.length);
    }
    this.inputIds = inputIds.clone();
    this.attentionMask = attentionMask.clone();
  }

  private Encoding(int[] inputIds, int[] attentionMask, Void owned) {
    this.inputIds = inputIds;
    this.attentionMask = attentionMask;
  }

  /** Takes ownership of arrays nobody else holds (no copy); lengths must already agree. */
  static Encoding owning(int[] inputIds, int[] attentionMask) {
    return new Encoding(inputIds, attentionMask, null);
  }

  /** Number of positions, padding included. */
  public int length() {
    return inputIds.length;
  }

  /** The token ids (a copy). */
  public int[] inputIds() {
    return inputIds.clone();
  }

  /** The token ids widened to {@code long}, as tensors want them. */
  public long[] inputIdsAsLong() {
    long[] out = new long[inputIds.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = inputIds[i];
    }
    return out;
  }

  /** The attention mask (a copy). */
  public int[] attentionMask() {
    return attentionMask.clone();
  }

  /** Token id at position {@code i}. */
  public int inputId(int i) {
    return inputIds[i];
  }

  /** Number of real (non-padding) positions. */
  public int realLength() {
    int n = 0;
    for (int m : attentionMask) {
      n += m;
    }
    return n;
  }

  /**
   * This encoding with position 0 replaced by {@code tokenId}: BLIP feeds the text decoder
   * {@code [DEC]} and the image-grounded encoder {@code [ENC]} in place of {@code [CLS]}.
   */
  public Encoding withFirstToken(int tokenId) {
    if (inputIds.length == 0) {
      throw new IllegalStateException("cannot replace the first token of an empty encoding");
    }
    int[] ids = inputIds.clone();
    ids[0] = tokenId;
    return new Encoding(ids, attentionMask, null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Encoding e
        && Arrays.equals(inputIds, e.inputIds)
        && Arrays.equals(attentionMask, e.attentionMask);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(inputIds) + Arrays.hashCode(attentionMask);
  }

  @Override
  public String toString() {
    return "Encoding{input_ids=" + Arrays.toString(inputIds)
        + ", attention_mask=" + Arrays.toString(attentionMask) + "}";
  }
}
