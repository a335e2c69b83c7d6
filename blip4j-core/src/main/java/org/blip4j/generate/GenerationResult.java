package org.blip4j.generate;

/**
 * Generated sequences, {@code numReturnSequences} consecutive rows per input, each as HF returns it
 * (prompt included, padded with the pad id to the longest row).
 *
 * @param sequences token ids per row
 * @param scores beam search: the length-normalised hypothesis score; greedy/sampling: NaN
 */
public record GenerationResult(long[][] sequences, float[] scores) {}
