package org.blip4j.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The encodings of a batch of texts, in input order, as HF's {@code tok(texts, padding=...,
 * truncation=..., max_length=...)} returns them. With {@link Padding#LONGEST} or {@link
 * Padding#MAX_LENGTH} (and truncation) every row has the same length and the flat row-major views
 * can feed a {@code (batch, length)} tensor. Immutable.
 */
public final class BatchEncoding {
  private final List<Encoding> rows;

  /** Wraps the given rows (the list is copied). */
  public BatchEncoding(List<Encoding> rows) {
    this.rows = Collections.unmodifiableList(new ArrayList<>(rows));
  }

  /** Number of texts. */
  public int size() {
    return rows.size();
  }

  /** Row {@code i}. */
  public Encoding get(int i) {
    return rows.get(i);
  }

  /** All rows, unmodifiable. */
  public List<Encoding> rows() {
    return rows;
  }

  /** The input ids of every row (copies). */
  public int[][] inputIds() {
    int[][] out = new int[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = rows.get(i).inputIds();
    }
    return out;
  }

  /** The attention masks of every row (copies). */
  public int[][] attentionMask() {
    int[][] out = new int[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = rows.get(i).attentionMask();
    }
    return out;
  }

  /** Whether every row has the same length (always true for an empty batch). */
  public boolean isRectangular() {
    for (Encoding e : rows) {
      if (e.length() != rows.get(0).length()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The common row length.
   *
   * @throws IllegalStateException if the rows differ in length (unpadded batch) or there are none
   */
  public int sequenceLength() {
    if (rows.isEmpty() || !isRectangular()) {
      throw new IllegalStateException(
          "batch of " + rows.size() + " rows has no common length; encode it with padding");
    }
    return rows.get(0).length();
  }

  /** Row-major {@code input_ids}, {@code size() × sequenceLength()}. */
  public long[] flatInputIds() {
    return flatten(true);
  }

  /** Row-major {@code attention_mask}, {@code size() × sequenceLength()}. */
  public long[] flatAttentionMask() {
    return flatten(false);
  }

  private long[] flatten(boolean ids) {
    int len = rows.isEmpty() ? 0 : sequenceLength();
    long[] out = new long[rows.size() * len];
    for (int r = 0; r < rows.size(); r++) {
      int[] src = ids ? rows.get(r).inputIds() : rows.get(r).attentionMask();
      for (int j = 0; j < len; j++) {
        out[r * len + j] = src[j];
      }
    }
    return out;
  }

  /** Every row with position 0 replaced by {@code tokenId} ({@code [DEC]} / {@code [ENC]} style). */
  public BatchEncoding withFirstToken(int tokenId) {
    List<Encoding> out = new ArrayList<>(rows.size());
    for (Encoding e : rows) {
      out.add(e.withFirstToken(tokenId));
    }
    return new BatchEncoding(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BatchEncoding b && rows.equals(b.rows);
  }

  @Override
  public int hashCode() {
    return rows.hashCode();
  }

  @Override
  public String toString() {
    return "BatchEncoding" + rows;
  }
}
