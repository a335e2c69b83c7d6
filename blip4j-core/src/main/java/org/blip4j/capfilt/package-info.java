/**
 * CapFilt (BLIP §3.3): a captioner generates synthetic captions for web images, a filter (the ITM
 * head) removes the noisy ones among the web and synthetic captions, and the bootstrapped dataset is
 * the human set plus what the filter kept.
 *
 * <p>{@link org.blip4j.capfilt.CapFilt} runs the job over fixed-size work shards, each written
 * atomically and skipped by a rerun, so an interrupted job resumes where it stopped and ends with
 * byte-identical files. Nucleus sampling draws from a generator seeded by (seed, global sample
 * index) only. {@link org.blip4j.capfilt.CapFiltReport} measures the filter against known noise
 * labels (the Shapes world's {@code noise} key) and, with a {@link org.blip4j.capfilt.CaptionOracle},
 * the noise ratio of the synthetic captions.
 */
package org.blip4j.capfilt;
