package org.blip4j.train;

import java.util.SplittableRandom;

/**
 * What a step needs to know about where training stands.
 *
 * @param step global step index, from 0
 * @param epoch epoch of the batch, from 0
 * @param indexInEpoch batch index within the epoch, from 0
 * @param stepsPerEpoch batches per epoch
 * @param lr learning rate for this step
 * @param random this step's generator, derived from (seed, step) alone, so a resumed run draws the
 *     same numbers as an uninterrupted one without saving generator state
 */
public record StepContext(long step, long epoch, long indexInEpoch, long stepsPerEpoch, float lr, SplittableRandom random) {}
