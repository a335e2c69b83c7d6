package org.blip4j.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.blip4j.model.CrossAttentionContext;
import org.blip4j.model.KvCache;
import org.blip4j.model.TextDecoder;

/**
 * Autoregressive decoding for MED's image-grounded decoder: greedy, beam search and nucleus/top-k
 * sampling with Hugging Face 4.32 semantics. The self-attention keys/values are cached, and the
 * cross-attention keys/values of each image are computed once (in the {@link CrossAttentionContext})
 * and shared by every step and every beam of that image — the reference recomputes them per step.
 *
 * <p>Each step runs in its own {@link NDScope}; only the cache survives a step.
 */
public final class Generator {
  private final TextDecoder decoder;
  private final int eosId;
  private final int padId;

  /**
   * @param decoder the image-grounded text decoder
   * @param eosId end of sequence ([SEP] = 102 in BLIP)
   * @param padId padding of finished rows (0)
   */
  public Generator(TextDecoder decoder, int eosId, int padId) {
    this.decoder = decoder;
    this.eosId = eosId;
    this.padId = padId;
  }

  /**
   * Generates continuations of {@code prompt} for every context row.
   *
   * @param context cross-attention context with G rows (images, or question states)
   * @param prompt the decoder's start ids shared by all rows, e.g. {@code [DEC] a picture of}
   * @param cfg decoding settings
   * @return {@code G × numReturnSequences} rows, grouped per context row
   */
  public GenerationResult generate(CrossAttentionContext context, long[] prompt, GenerationConfig cfg) {
    return generate(context, prompt, cfg, null);
  }

  /**
   * As {@link #generate(CrossAttentionContext, long[], GenerationConfig)}, but when sampling, context
   * row {@code i} draws from its own generator seeded with {@code rowSeeds[i]} (its
   * {@code numReturnSequences} samples share it) instead of one generator seeded with
   * {@code cfg.seed()} shared by all rows: a row's samples then do not depend on which other rows
   * are in the batch. {@code rowSeeds} null: the shared generator. Ignored by greedy and beam search.
   */
  public GenerationResult generate(CrossAttentionContext context, long[] prompt, GenerationConfig cfg, long[] rowSeeds) {
    int g = Math.toIntExact(context.batch());
    if (rowSeeds != null && rowSeeds.length != g) {
      throw new IllegalArgumentException("expected one seed per context row (" + g + "), got " + rowSeeds.length);
    }
    if (prompt.length == 0) {
      throw new IllegalArgumentException("the prompt must hold at least the start token");
    }
    NDManager m = context.keys()[0].getManager();
    try (KvCache cache = new KvCache(decoder.bert().config().numHiddenLayers())) {
      return cfg.numBeams() > 1 ? beamSearch(m, context, g, prompt, cfg, cache) : sampleOrGreedy(m, context, g, prompt, cfg, cache, rowSeeds);
    }
  }

  /** Runs the prompt for G rows, returns last-position logits [G, V] and fills the cache. */
  private float[] promptLogits(NDManager m, CrossAttentionContext ctx, int g, long[] prompt, KvCache cache) {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      long[] ids = new long[g * prompt.length];
      for (int r = 0; r < g; r++) {
        System.arraycopy(prompt, 0, ids, r * prompt.length, prompt.length);
      }
      NDArray input = m.create(ids, new Shape(g, prompt.length));
      return decoder.forward(input, null, ctx, cache, false, true).logits().toFloatArray();
    }
  }

  /** One cached step: feeds {@code last} [R] and returns logits [R, V] (log-softmaxed if asked). */
  private float[] step(NDManager m, CrossAttentionContext ctx, long[] last, KvCache cache, boolean logSoftmax) {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray input = m.create(last, new Shape(last.length, 1));
      NDArray logits = decoder.forward(input, null, ctx, cache, false, true).logits();
      return (logSoftmax ? logits.logSoftmax(-1) : logits).toFloatArray();
    }
  }

  private static float[] logSoftmaxRows(NDManager m, float[] logits, int rows) {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      return m.create(logits, new Shape(rows, logits.length / rows)).logSoftmax(-1).toFloatArray();
    }
  }

  /** Repeats each cache row {@code times} times (HF's repeat_interleave expansion). */
  private static void expand(NDManager m, KvCache cache, int rows, int times) {
    if (times == 1) {
      return;
    }
    long[] idx = new long[rows * times];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i / times;
    }
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      cache.select(m.create(idx));
    }
  }

  private GenerationResult sampleOrGreedy(NDManager m, CrossAttentionContext ctx, int g, long[] prompt, GenerationConfig cfg, KvCache cache, long[] rowSeeds) {
    int n = cfg.doSample() ? cfg.numReturnSequences() : 1;
    int rows = g * n;
    float[] first = promptLogits(m, ctx, g, prompt, cache);
    int vocab = first.length / g;
    expand(m, cache, g, n);
    float[] logits = new float[rows * vocab];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(first, (r / n) * vocab, logits, r * vocab, vocab);
    }
    long[][] seq = new long[rows][cfg.maxLength() + prompt.length];
    for (long[] s : seq) {
      System.arraycopy(prompt, 0, s, 0, prompt.length);
    }
    boolean[] unfinished = new boolean[rows];
    Arrays.fill(unfinished, true);
    SplittableRandom shared = new SplittableRandom(cfg.seed());
    SplittableRandom[] rnd = new SplittableRandom[g];
    for (int i = 0; i < g; i++) {
      rnd[i] = rowSeeds == null ? shared : new SplittableRandom(rowSeeds[i]);
    }
    int len = prompt.length;
    long[] next = new long[rows];
    while (true) {
      boolean any = false;
      for (int r = 0; r < rows; r++) {
        int off = r * vocab;
        LogitsProcessors.process(logits, off, vocab, seq[r], len, cfg, eosId);
        long tok;
        if (cfg.doSample()) {
          LogitsProcessors.warp(logits, off, vocab, cfg);
          tok = sample(logits, off, vocab, rnd[r / n]);
        } else {
          tok = argmax(logits, off, vocab);
        }
        next[r] = unfinished[r] ? tok : padId;
        seq[r][len] = next[r];
        if (next[r] == eosId) {
          unfinished[r] = false;
        }
        any |= unfinished[r];
      }
      len++;
      if (!any || len >= cfg.maxLength()) {
        break;
      }
      logits = step(m, ctx, next, cache, false);
    }
    long[][] out = new long[rows][];
    for (int r = 0; r < rows; r++) {
      out[r] = Arrays.copyOf(seq[r], len);
    }
    float[] scores = new float[rows];
    Arrays.fill(scores, Float.NaN);
    return new GenerationResult(out, scores);
  }

  private static long argmax(float[] x, int off, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (x[off + i] > x[off + best]) {
        best = i;
      }
    }
    return best;
  }

  /** Draws from softmax(x) (entries at -inf have probability 0). */
  private static long sample(float[] x, int off, int n, SplittableRandom rnd) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, x[off + i]);
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += Math.exp(x[off + i] - max);
    }
    double u = rnd.nextDouble() * sum;
    double acc = 0;
    int lastFinite = 0;
    for (int i = 0; i < n; i++) {
      if (x[off + i] == Float.NEGATIVE_INFINITY) {
        continue;
      }
      lastFinite = i;
      acc += Math.exp(x[off + i] - max);
      if (acc > u) {
        return i;
      }
    }
    return lastFinite;
  }

  private GenerationResult beamSearch(NDManager m, CrossAttentionContext ctx, int g, long[] prompt, GenerationConfig cfg, KvCache cache) {
    int beams = cfg.numBeams();
    int rows = g * beams;
    float[] first = promptLogits(m, ctx, g, prompt, cache);
    int vocab = first.length / g;
    float[] firstLogp = logSoftmaxRows(m, first, g);
    expand(m, cache, g, beams);
    float[] scores = new float[rows * vocab];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(firstLogp, (r / beams) * vocab, scores, r * vocab, vocab);
    }
    long[][] seq = new long[rows][];
    for (int r = 0; r < rows; r++) {
      seq[r] = prompt.clone();
    }
    float[] beamScores = new float[rows];
    for (int r = 0; r < rows; r++) {
      beamScores[r] = r % beams == 0 ? 0f : -1e9f;
    }
    List<BeamHypotheses> hyps = new ArrayList<>();
    for (int b = 0; b < g; b++) {
      hyps.add(new BeamHypotheses(beams, cfg.lengthPenalty(), cfg.earlyStopping()));
    }
    boolean[] done = new boolean[g];
    int len = prompt.length;
    int k = 2 * beams;
    while (true) {
      // processors on log-probs, then add running beam scores (float32, as torch)
      for (int r = 0; r < rows; r++) {
        int off = r * vocab;
        LogitsProcessors.process(scores, off, vocab, seq[r], len, cfg, eosId);
        float bs = beamScores[r];
        for (int i = 0; i < vocab; i++) {
          scores[off + i] = scores[off + i] + bs;
        }
      }
      long[] nextTokens = new long[rows];
      long[] nextSource = new long[rows];
      float[] nextScores = new float[rows];
      for (int b = 0; b < g; b++) {
        if (done[b]) {
          for (int j = 0; j < beams; j++) {
            nextTokens[b * beams + j] = padId;
            nextSource[b * beams + j] = b * beams;
            nextScores[b * beams + j] = 0f;
          }
          continue;
        }
        int[] top = topK(scores, b * beams * vocab, beams * vocab, k);
        int slot = 0;
        for (int rank = 0; rank < k && slot < beams; rank++) {
          int flat = top[rank];
          int beam = flat / vocab;
          int token = flat % vocab;
          int src = b * beams + beam;
          float sc = scores[b * beams * vocab + flat];
          if (token == eosId) {
            if (rank >= beams) {
              continue;
            }
            hyps.get(b).add(seq[src].clone(), sc);
          } else {
            nextTokens[b * beams + slot] = token;
            nextSource[b * beams + slot] = src;
            nextScores[b * beams + slot] = sc;
            slot++;
          }
        }
        float best = scores[b * beams * vocab + top[0]];
        done[b] = hyps.get(b).isDone(best, len + 1);
      }
      long[][] nseq = new long[rows][];
      for (int r = 0; r < rows; r++) {
        long[] s = Arrays.copyOf(seq[(int) nextSource[r]], len + 1);
        s[len] = nextTokens[r];
        nseq[r] = s;
      }
      seq = nseq;
      beamScores = nextScores;
      len++;
      boolean allDone = true;
      for (boolean d : done) {
        allDone &= d;
      }
      if (allDone || len >= cfg.maxLength()) {
        break;
      }
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        cache.select(m.create(nextSource));
      }
      scores = step(m, ctx, nextTokens, cache, true);
    }
    // finalize: running beams of unfinished items become hypotheses
    for (int b = 0; b < g; b++) {
      if (!done[b]) {
        for (int j = 0; j < beams; j++) {
          hyps.get(b).add(seq[b * beams + j], beamScores[b * beams + j]);
        }
      }
    }
    int keep = cfg.numReturnSequences();
    List<long[]> best = new ArrayList<>();
    float[] bestScores = new float[g * keep];
    int maxLen = 0;
    for (int b = 0; b < g; b++) {
      List<BeamHypotheses.Hypothesis> sorted = hyps.get(b).bestFirst();
      for (int j = 0; j < keep; j++) {
        BeamHypotheses.Hypothesis h = sorted.get(j);
        best.add(h.tokens());
        bestScores[b * keep + j] = (float) h.score();
        maxLen = Math.max(maxLen, h.tokens().length);
      }
    }
    int outLen = Math.min(maxLen + 1, cfg.maxLength());
    long[][] out = new long[best.size()][];
    for (int i = 0; i < out.length; i++) {
      long[] h = best.get(i);
      long[] row = new long[outLen];
      Arrays.fill(row, padId);
      System.arraycopy(h, 0, row, 0, h.length);
      if (h.length < outLen) {
        row[h.length] = eosId;
      }
      out[i] = row;
    }
    return new GenerationResult(out, bestScores);
  }

  /** Indices of the k largest of x[off, off+n), largest first (ties: lower index first). */
  private static int[] topK(float[] x, int off, int n, int k) {
    int[] idx = new int[k];
    float[] val = new float[k];
    Arrays.fill(val, Float.NEGATIVE_INFINITY);
    Arrays.fill(idx, -1);
    for (int i = 0; i < n; i++) {
      float v = x[off + i];
      if (idx[k - 1] >= 0 && !(v > val[k - 1])) {
        continue;
      }
      int pos = k - 1;
      while (pos > 0 && (idx[pos - 1] < 0 || v > val[pos - 1])) {
        val[pos] = val[pos - 1];
        idx[pos] = idx[pos - 1];
        pos--;
      }
      val[pos] = v;
      idx[pos] = i;
    }
    return idx;
  }
}
