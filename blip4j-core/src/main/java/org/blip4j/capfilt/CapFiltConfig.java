package org.blip4j.capfilt;

import java.util.Locale;
import org.blip4j.generate.GenerationConfig;
import org.blip4j.task.Captioner;

/**
 * The settings of a CapFilt run. Every one of them can change the output files, so a run directory
 * records them and refuses to be continued with others.
 *
 * @param method how synthetic captions are decoded
 * @param numCaptions synthetic captions per web image
 * @param topP nucleus mass (nucleus only; BLIP: 0.9)
 * @param beams beams (beam only)
 * @param threshold a caption is kept when its ITM match probability is {@code >=} this
 * @param seed seed of nucleus sampling; image {@code i} (global input index) samples with {@link #sampleSeed(long)}
 * @param shardSize samples per work shard (the unit of resumption)
 * @param batchSize images per captioner / filter call
 * @param maxLength generation length limit, counting [DEC] and the prompt (HF semantics)
 * @param minLength [SEP] forbidden before this length (same counting)
 * @param prompt the captioner's prompt, stripped from the captions
 */
public record CapFiltConfig(Method method, int numCaptions, float topP, int beams, double threshold, long seed,
    int shardSize, int batchSize, int maxLength, int minLength, String prompt) {

  /** Decoding of the synthetic captions. */
  public enum Method {
    /** Nucleus sampling (the paper's choice: more diverse, more "surprising" captions). */
    NUCLEUS,
    /** Beam search (deterministic, safer captions). */
    BEAM;

    /** Lower-case name as on the command line. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Validates. */
  public CapFiltConfig {
    check(method != null, "method must be nucleus or beam");
    check(numCaptions >= 1, "number of synthetic captions must be >= 1, got " + numCaptions);
    check(topP > 0 && topP <= 1, "top-p must be in (0, 1], got " + topP);
    check(beams >= 1, "beams must be >= 1, got " + beams);
    check(method != Method.BEAM || numCaptions <= beams, "beam search returns at most --beam captions: " + numCaptions + " > " + beams);
    check(threshold >= 0 && threshold <= 1, "threshold must be in [0, 1], got " + threshold);
    check(shardSize >= 1, "shard size must be >= 1, got " + shardSize);
    check(batchSize >= 1, "batch size must be >= 1, got " + batchSize);
    check(maxLength >= 1 && minLength >= 0 && minLength <= maxLength, "need 0 <= min length <= max length, got " + minLength + " and " + maxLength);
    prompt = prompt == null ? "" : prompt;
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** BLIP's choices: nucleus top-p 0.9, 1 caption, threshold 0.5, lengths 30/5, prompt "a picture of "; shards of 256, batches of 8. */
  public static CapFiltConfig defaults() {
    return new CapFiltConfig(Method.NUCLEUS, 1, 0.9f, 3, 0.5, 0, 256, 8, 30, 5, Captioner.DEFAULT_PROMPT);
  }

  /** The captioner's decoding settings. */
  public GenerationConfig generation() {
    return method == Method.NUCLEUS
        ? GenerationConfig.nucleus(topP, maxLength, minLength, seed).withNumReturnSequences(numCaptions)
        : GenerationConfig.beam(beams, maxLength, minLength).withNumReturnSequences(numCaptions);
  }

  /** The captioner's options. */
  public Captioner.Options captionerOptions() {
    return new Captioner.Options(generation(), prompt, batchSize);
  }

  /** The sampling seed of the web sample at global input index {@code index}: a SplitMix64 mix of (seed, index). */
  public long sampleSeed(long index) {
    long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A copy with another threshold. */
  public CapFiltConfig withThreshold(double t) {
    return new CapFiltConfig(method, numCaptions, topP, beams, t, seed, shardSize, batchSize, maxLength, minLength, prompt);
  }

  /** A copy with another shard size. */
  public CapFiltConfig withShardSize(int n) {
    return new CapFiltConfig(method, numCaptions, topP, beams, threshold, seed, n, batchSize, maxLength, minLength, prompt);
  }

  /** A copy with another batch size. */
  public CapFiltConfig withBatchSize(int n) {
    return new CapFiltConfig(method, numCaptions, topP, beams, threshold, seed, shardSize, n, maxLength, minLength, prompt);
  }
}
