package org.blip4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.blip4j.nn.ParameterStore;

/**
 * MED's image-grounded text decoder ({@code BlipTextLMHeadModel}): the text transformer in
 * {@link TextTransformer.Mode#DECODER} mode plus the LM head, and the label-smoothed LM loss.
 */
public final class TextDecoder {
  /** BLIP's label smoothing of the LM loss. */
  public static final float LABEL_SMOOTHING = 0.1f;

  /** Label value ignored by the loss (padding). */
  public static final long IGNORE_INDEX = -100;

  /** The LM head's projection weight, under a decoder's prefix. */
  public static final String LM_HEAD_WEIGHT = ".cls.predictions.decoder.weight";

  /** The decoder's word embeddings, under a decoder's prefix. */
  public static final String WORD_EMBEDDINGS = ".bert.embeddings.word_embeddings.weight";

  /** Hidden states and logits of a decoder pass. */
  public record Output(TextTransformer.Output states, NDArray logits) {}

  private final TextTransformer bert;
  private final LmHead head;
  private final boolean tiedLmHead;

  /**
   * Builds {@code prefix.bert.*} and {@code prefix.cls.predictions.*}. With {@code tiedLmHead} the
   * LM head's projection {@code prefix.cls.predictions.decoder.weight} is the SAME parameter as the
   * word embeddings {@code prefix.bert.embeddings.word_embeddings.weight}, as in salesforce/BLIP's
   * {@code BertLMHeadModel} (its {@code init_weights} ties them, so they train as one); HF's
   * {@code BlipTextLMHeadModel} keeps them apart, which a checkpoint whose two tensors differ needs.
   */
  public TextDecoder(TextConfig config, ParameterStore store, String prefix, boolean tiedLmHead) {
    this.bert = new TextTransformer(config, store, prefix + ".bert", false);
    this.tiedLmHead = tiedLmHead;
    if (tiedLmHead) {
      store.share(prefix + LM_HEAD_WEIGHT, prefix + WORD_EMBEDDINGS, String::isEmpty);
    }
    this.head = new LmHead(config, store, prefix + ".cls.predictions");
  }

  /** Whether the LM head's projection is the word-embedding matrix (one parameter). */
  public boolean tiedLmHead() {
    return tiedLmHead;
  }

  /** The transformer stack. */
  public TextTransformer bert() {
    return bert;
  }

  /** The LM head. */
  public LmHead head() {
    return head;
  }

  /**
   * Teacher-forced (or cached incremental) pass over {@code inputIds} → logits of every position.
   *
   * @param lastOnly compute the LM head only on the last position (generation)
   */
  public Output forward(NDArray inputIds, NDArray attentionMask, CrossAttentionContext cross, KvCache cache, boolean keepHiddenStates, boolean lastOnly) {
    TextTransformer.Output out = bert.forward(inputIds, attentionMask, TextTransformer.Mode.DECODER, cross, cache, keepHiddenStates);
    NDArray h = out.lastHiddenState();
    if (lastOnly) {
      h = h.get(new NDIndex(":, -1, :"));
    }
    return new Output(out, head.forward(h));
  }

  /**
   * BLIP's LM loss: cross-entropy with label smoothing over shifted positions (logits[:, :-1] vs
   * labels[:, 1:]), mean over labels that are not {@link #IGNORE_INDEX}.
   *
   * @param logits [B, L, V]
   * @param labels int64 [B, L], padding = -100
   * @param smoothing label smoothing epsilon (0.1 in BLIP)
   */
  public static NDArray lmLoss(NDArray logits, NDArray labels, float smoothing) {
    NDArray[] terms = tokenTerms(logits, labels);
    NDArray perToken = smoothed(terms[0], terms[1], smoothing);
    return perToken.mul(terms[2]).sum().div(terms[2].sum());
  }

  /**
   * {@link #lmLoss} of a teacher-forced pass with the LM head applied only where a position predicts a
   * label: the vocabulary projection, training's largest matrix product, skips padding, ignored
   * prompt tokens and the last position. Equal to {@code lmLoss(forward(..).logits(), labels, smoothing)}
   * up to float rounding (the same terms, summed in another order).
   *
   * @param labels int64 [B, L], ignored = {@link #IGNORE_INDEX} (read back to pick the positions)
   * @param cross the image's cross-attention context
   */
  public NDArray labelledLmLoss(NDArray inputIds, NDArray attentionMask, CrossAttentionContext cross, NDArray labels, float smoothing) {
    return labelledTerms(inputIds, attentionMask, cross, labels, smoothing).perToken().mean();
  }

  /**
   * {@link #sequenceLoss} of a teacher-forced pass with the LM head applied only where a position
   * predicts a label ({@link #labelledLmLoss}): VQA's answer loss and answer ranking, where most
   * positions are padding. Equal to {@code sequenceLoss(forward(..).logits(), labels, smoothing)} up to
   * float rounding.
   *
   * @return [B], 0 for a sequence without labels
   */
  public NDArray labelledSequenceLoss(NDArray inputIds, NDArray attentionMask, CrossAttentionContext cross, NDArray labels, float smoothing) {
    Labelled t = labelledTerms(inputIds, attentionMask, cross, labels, smoothing);
    long sequences = inputIds.getShape().get(0);
    int k = t.sequence().length;
    int[] count = new int[Math.toIntExact(sequences)];
    for (long b : t.sequence()) {
      count[(int) b]++;
    }
    int widest = Arrays.stream(count).max().orElse(0);
    // [B, widest] indices into the per-token terms, padded with the index of an appended 0
    long[] index = new long[count.length * widest];
    Arrays.fill(index, k);
    int[] filled = new int[count.length];
    for (int r = 0; r < k; r++) {
      int b = (int) t.sequence()[r];
      index[b * widest + filled[b]++] = r;
    }
    NDManager m = t.perToken().getManager();
    NDArray padded = t.perToken().concat(m.zeros(new Shape(1), t.perToken().getDataType()));
    return padded.get(m.create(index, new Shape(count.length, widest))).sum(new int[] {1});
  }

  /** The label-smoothed loss of each labelled position [K] and the sequence each belongs to. */
  private record Labelled(NDArray perToken, long[] sequence) {}

  private Labelled labelledTerms(NDArray inputIds, NDArray attentionMask, CrossAttentionContext cross, NDArray labels, float smoothing) {
    NDArray hidden = bert.forward(inputIds, attentionMask, TextTransformer.Mode.DECODER, cross, null, false).lastHiddenState();
    long len = hidden.getShape().get(1);
    long[] next = labels.toLongArray();
    int picked = 0;
    long[] rows = new long[next.length];
    long[] targets = new long[next.length];
    for (int i = 0; i < next.length; i++) {
      // position t of sequence b predicts label t + 1; row b * L + t of the flattened states
      if (i % len != len - 1 && next[i + 1] != IGNORE_INDEX) {
        rows[picked] = i;
        targets[picked++] = next[i + 1];
      }
    }
    rows = Arrays.copyOf(rows, picked);
    NDManager m = hidden.getManager();
    NDArray states = hidden.reshape(-1, hidden.getShape().get(2)).get(m.create(rows));
    NDArray logp = head.forward(states).logSoftmax(-1);
    NDArray nll = logp.gather(m.create(Arrays.copyOf(targets, picked)).reshape(-1, 1), 1).reshape(-1).neg();
    NDArray smooth = logp.mean(new int[] {-1}).neg();
    NDArray perToken = smoothed(nll, smooth, smoothing);
    return new Labelled(perToken, Arrays.stream(rows).map(r -> r / len).toArray());
  }

  /**
   * MED's LM loss with {@code reduction='none'} (VQA training and answer ranking): the label-smoothed
   * cross-entropy of every shifted position, summed per sequence (ignored labels add 0).
   *
   * @param logits [B, L, V]
   * @param labels int64 [B, L], padding = -100
   * @param smoothing label smoothing epsilon (0.1 in BLIP)
   * @return [B]
   */
  public static NDArray sequenceLoss(NDArray logits, NDArray labels, float smoothing) {
    NDArray[] terms = tokenTerms(logits, labels);
    NDArray perToken = smoothed(terms[0], terms[1], smoothing);
    return perToken.mul(terms[2]).reshape(logits.getShape().get(0), -1).sum(new int[] {1});
  }

  /** Label smoothing of per-position terms: {@code nll·(1−ε) + smooth·ε}. */
  private static NDArray smoothed(NDArray nll, NDArray smooth, float smoothing) {
    NDManager m = nll.getManager();
    return nll.mul(ParameterStore.scalar(m, 1f - smoothing)).add(smooth.mul(ParameterStore.scalar(m, smoothing)));
  }

  /** Per-position negative log-likelihood without smoothing, [B, L-1], 0 at ignored positions. */
  public static NDArray tokenNll(NDArray logits, NDArray labels) {
    NDArray[] terms = tokenTerms(logits, labels);
    long b = logits.getShape().get(0);
    return terms[0].mul(terms[2]).reshape(b, -1);
  }

  /** [nll, smooth (mean −log p over the vocabulary), valid] per shifted position, flattened. */
  private static NDArray[] tokenTerms(NDArray logits, NDArray labels) {
    long v = logits.getShape().get(2);
    NDArray shifted = logits.get(new NDIndex(":, :-1, :")).reshape(-1, v);
    NDArray target = labels.get(new NDIndex(":, 1:")).reshape(-1);
    NDArray valid = target.neq(labels.getManager().create(IGNORE_INDEX));
    NDArray safe = target.mul(valid.toType(DataType.INT64, false));
    NDArray logp = shifted.logSoftmax(-1);
    NDArray nll = logp.gather(safe.reshape(-1, 1), 1).reshape(-1).neg();
    NDArray smooth = logp.mean(new int[] {-1}).neg();
    return new NDArray[] {nll, smooth, valid.toType(DataType.FLOAT32, false)};
  }
}
