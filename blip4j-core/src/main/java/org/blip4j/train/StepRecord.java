package org.blip4j.train;

import java.util.Map;

/**
 * One finished training step, as written to {@code metrics.jsonl}.
 *
 * @param step global step index, from 0
 * @param epoch epoch of the batch
 * @param lr learning rate used
 * @param losses named losses (e.g. itc, itm, lm, and their sum "loss")
 * @param gradNorm global gradient norm before clipping
 * @param samples batch size
 * @param seconds wall time of the step (data wait included)
 */
public record StepRecord(long step, long epoch, float lr, Map<String, Double> losses, double gradNorm, int samples, double seconds) {}
