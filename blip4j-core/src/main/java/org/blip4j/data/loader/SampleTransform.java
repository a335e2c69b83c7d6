package org.blip4j.data.loader;

import java.util.SplittableRandom;
import org.blip4j.data.Sample;

/**
 * Turns one sample into a training item (decode + augment + tokenize …). Called concurrently from
 * the loader's worker threads; it must draw all its randomness from {@code rng}, which the loader
 * derives from (seed, epoch, sample index), so results never depend on thread timing. Any exception
 * marks the sample as bad: it is skipped and reported, never fatal.
 */
@FunctionalInterface
public interface SampleTransform<T> {
  T apply(Sample sample, SplittableRandom rng) throws Exception;
}
