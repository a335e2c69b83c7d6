package org.blip4j.text;

/**
 * How {@link BertTokenizer#encodeBatch} pads its sequences (always on the right, with {@code [PAD]}
 * and attention mask 0), mirroring HF's {@code padding=} argument.
 */
public enum Padding {
  /** No padding ({@code padding=False}): sequences keep their own lengths. */
  NONE,
  /** Pad to the longest sequence of the batch ({@code padding='longest'} / {@code True}). */
  LONGEST,
  /**
   * Pad to {@code maxLength} ({@code padding='max_length'}); a longer sequence is left as it is
   * unless truncation is on.
   */
  MAX_LENGTH
}
