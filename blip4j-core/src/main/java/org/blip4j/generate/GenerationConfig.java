package org.blip4j.generate;

/**
 * Decoding settings with Hugging Face 4.32 semantics. {@code maxLength}/{@code minLength} count
 * every token of the returned sequence, including [DEC] and the prompt.
 *
 * @param maxLength total length limit
 * @param minLength [SEP] is forbidden while the sequence is shorter than this
 * @param numBeams 1 = greedy or sampling; &gt; 1 = beam search
 * @param repetitionPenalty HF's CTRL-style penalty on tokens already in the sequence (1 = off)
 * @param lengthPenalty beam hypotheses are scored sum_logprobs / length^lengthPenalty
 * @param earlyStopping beam search stops a batch item as soon as numBeams hypotheses are finished
 * @param doSample nucleus / top-k sampling instead of argmax
 * @param topP nucleus mass (1 = off)
 * @param topK keep the k most likely tokens (0 = off; HF's default is 50)
 * @param temperature logits divided by this before sampling (1 = off)
 * @param seed RNG seed for sampling
 * @param numReturnSequences sequences returned per input (sampling: independent samples; beam: best hypotheses)
 */
public record GenerationConfig(
    int maxLength,
    int minLength,
    int numBeams,
    float repetitionPenalty,
    float lengthPenalty,
    boolean earlyStopping,
    boolean doSample,
    float topP,
    int topK,
    float temperature,
    long seed,
    int numReturnSequences) {

  /** Validates the settings. */
  public GenerationConfig {
    check(maxLength >= 1, "max length must be >= 1, got " + maxLength);
    check(minLength >= 0 && minLength <= maxLength, "min length must be in [0, max length], got " + minLength);
    check(numBeams >= 1, "number of beams must be >= 1, got " + numBeams);
    check(repetitionPenalty > 0, "repetition penalty must be > 0, got " + repetitionPenalty);
    check(topP > 0 && topP <= 1, "top-p must be in (0, 1], got " + topP);
    check(topK >= 0, "top-k must be >= 0, got " + topK);
    check(temperature > 0, "temperature must be > 0, got " + temperature);
    check(numReturnSequences >= 1, "number of returned sequences must be >= 1, got " + numReturnSequences);
    check(!doSample || numBeams == 1, "sampling with beams (beam_sample) is not supported; use num beams 1 with sampling");
    check(doSample || numBeams > 1 || numReturnSequences == 1, "greedy decoding returns one sequence; use sampling or beams for more");
    check(numBeams == 1 || numReturnSequences <= numBeams, "number of returned sequences must be <= number of beams");
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Greedy decoding up to {@code maxLength} tokens. */
  public static GenerationConfig greedy(int maxLength) {
    return new GenerationConfig(maxLength, 0, 1, 1f, 1f, false, false, 1f, 50, 1f, 0, 1);
  }

  /** Beam search with HF defaults for the rest. */
  public static GenerationConfig beam(int numBeams, int maxLength, int minLength) {
    return new GenerationConfig(maxLength, minLength, numBeams, 1f, 1f, false, false, 1f, 50, 1f, 0, 1);
  }

  /** Nucleus sampling as BLIP's demo / CapFilt captioner: top-p, HF's default top-k 50. */
  public static GenerationConfig nucleus(float topP, int maxLength, int minLength, long seed) {
    return new GenerationConfig(maxLength, minLength, 1, 1f, 1f, false, true, topP, 50, 1f, seed, 1);
  }

  /** A copy with another repetition penalty. */
  public GenerationConfig withRepetitionPenalty(float p) {
    return new GenerationConfig(maxLength, minLength, numBeams, p, lengthPenalty, earlyStopping, doSample, topP, topK, temperature, seed, numReturnSequences);
  }

  /** A copy returning {@code n} sequences per input. */
  public GenerationConfig withNumReturnSequences(int n) {
    return new GenerationConfig(maxLength, minLength, numBeams, repetitionPenalty, lengthPenalty, earlyStopping, doSample, topP, topK, temperature, seed, n);
  }
}
