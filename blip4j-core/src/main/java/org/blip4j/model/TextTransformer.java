package org.blip4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.blip4j.nn.Activations;
import org.blip4j.nn.Attention;
import org.blip4j.nn.Dropout;
import org.blip4j.nn.LayerNorm;
import org.blip4j.nn.Linear;
import org.blip4j.nn.Parameter;
import org.blip4j.nn.ParameterStore;

/**
 * The MED text transformer ({@code BlipTextModel}): one post-LN BERT stack whose layers each hold a
 * self-attention, a cross-attention to the image and a feed-forward block. It runs in three modes:
 *
 * <ul>
 *   <li>{@link Mode#TEXT} — unimodal text encoder ([CLS], bidirectional, cross-attention skipped) → ITC;
 *   <li>{@link Mode#MULTIMODAL} — image-grounded text encoder ([ENC], bidirectional + cross-attention) → ITM;
 *   <li>{@link Mode#DECODER} — image-grounded text decoder ([DEC], causal self-attention + cross-attention) → LM.
 * </ul>
 *
 * Parameter names are HF's under {@code prefix} ({@code text_encoder}, {@code text_decoder.bert}, ...).
 */
public final class TextTransformer {

  /** Which of MED's three functionalities a pass runs. */
  public enum Mode {
    /** Unimodal text encoder. */
    TEXT,
    /** Image-grounded text encoder. */
    MULTIMODAL,
    /** Image-grounded text decoder (causal). */
    DECODER
  }

  /** Final states and, when requested, the embeddings output and every layer's output. */
  public record Output(NDArray lastHiddenState, List<NDArray> hiddenStates) {}

  private static final float SELF_MASK_VALUE = -10000f;
  private static final float CROSS_MASK_VALUE = -Float.MAX_VALUE;

  private final TextConfig config;
  private final Parameter wordEmbeddings;
  private final Parameter positionEmbeddings;
  private final LayerNorm embeddingsLayerNorm;
  private final List<Layer> layers = new ArrayList<>();
  private final Linear pooler;
  private float hiddenDropout;
  private float attentionDropout;

  /**
   * Builds the stack under {@code prefix}.
   *
   * @param withPooler whether to add HF's {@code pooler.dense} (+tanh on the first token), used by BlipModel
   */
  public TextTransformer(TextConfig config, ParameterStore store, String prefix, boolean withPooler) {
    this(config, store, prefix, withPooler, false);
  }

  /**
   * Builds the stack under {@code prefix}; with {@code twinCrossAttention} every layer cross-attends
   * to TWO images (NLVR2: {@code crossattention.self0/self1}, see {@link TwinCrossAttention}).
   */
  public TextTransformer(TextConfig config, ParameterStore store, String prefix, boolean withPooler, boolean twinCrossAttention) {
    this.config = config;
    int h = config.hiddenSize();
    this.wordEmbeddings = store.create(prefix + ".embeddings.word_embeddings.weight", Parameter.Init.NORMAL, config.vocabSize(), h);
    this.positionEmbeddings = store.create(prefix + ".embeddings.position_embeddings.weight", Parameter.Init.NORMAL, config.maxPositionEmbeddings(), h);
    this.embeddingsLayerNorm = new LayerNorm(store, prefix + ".embeddings.LayerNorm", h, config.layerNormEps());
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      layers.add(new Layer(config, store, prefix + ".encoder.layer." + i, i, twinCrossAttention));
    }
    this.pooler = withPooler ? new Linear(store, prefix + ".pooler.dense", h, h) : null;
  }

  /** The configuration. */
  public TextConfig config() {
    return config;
  }

  /**
   * BERT's training-time dropout: {@code hidden} after the embeddings and after every attention and
   * feed-forward output projection ({@code hidden_dropout_prob}), {@code attention} on the attention
   * probabilities ({@code attention_probs_dropout_prob}); BLIP trains with 0.1 / 0.1. Both are 0 —
   * off — unless set; set them back to 0 for evaluation. (NLVR's twin cross-attention has none.)
   */
  public void setDropout(float hidden, float attention) {
    if (!(hidden >= 0 && hidden < 1 && attention >= 0 && attention < 1)) {
      throw new IllegalArgumentException("dropout probabilities must be in [0, 1), got " + hidden + ", " + attention);
    }
    this.hiddenDropout = hidden;
    this.attentionDropout = attention;
  }

  /** The word-embedding matrix (tied to the LM head in original checkpoints). */
  public Parameter wordEmbeddings() {
    return wordEmbeddings;
  }

  /**
   * Runs the stack.
   *
   * @param inputIds int64 [B, L] (only the new tokens when {@code cache} holds earlier ones)
   * @param attentionMask [B, T+L] of 0/1 over cached + new tokens, or null for all ones
   * @param mode TEXT, MULTIMODAL or DECODER
   * @param cross the encoder context (required unless TEXT)
   * @param cache self-attention cache (DECODER only; appended to), or null
   * @param keepHiddenStates whether to return the embeddings output and every layer's output
   */
  public Output forward(NDArray inputIds, NDArray attentionMask, Mode mode, CrossAttentionContext cross, KvCache cache, boolean keepHiddenStates) {
    return forwardBranches(inputIds, attentionMask, mode, cross == null ? null : new CrossAttentionContext[] {cross}, cache, keepHiddenStates);
  }

  /** As {@link #forward} with one context per image branch (two for NLVR's twin cross-attention). */
  public Output forwardBranches(NDArray inputIds, NDArray attentionMask, Mode mode, CrossAttentionContext[] cross, KvCache cache, boolean keepHiddenStates) {
    NDManager m = inputIds.getManager();
    Shape s = inputIds.getShape();
    long b = s.get(0);
    long len = s.get(1);
    long past = cache == null ? 0 : cache.length();
    if (past + len > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException(
          "text of " + (past + len) + " tokens exceeds max_position_embeddings " + config.maxPositionEmbeddings());
    }
    if (mode != Mode.TEXT && cross == null) {
      throw new IllegalArgumentException(mode + " mode needs the image (cross-attention context)");
    }
    NDArray words = inputIds.getNDArrayInternal().embedding(inputIds, wordEmbeddings.array(), SparseFormat.DENSE).singletonOrThrow();
    NDArray positions = positionEmbeddings.array().get(m, new NDIndex(past + ":" + (past + len)));
    NDArray x = Dropout.apply(embeddingsLayerNorm.forward(words.add(positions)), hiddenDropout);
    float[] drop = {hiddenDropout, attentionDropout};
    NDArray selfMask = selfAttentionMask(m, attentionMask, b, len, past, mode == Mode.DECODER);
    NDArray scale = ParameterStore.scalar(m, (float) Math.pow(config.hiddenSize() / (double) config.numAttentionHeads(), -0.5));
    List<NDArray> hidden = keepHiddenStates ? new ArrayList<>() : null;
    for (int i = 0; i < layers.size(); i++) {
      if (hidden != null) {
        hidden.add(x);
      }
      x = layers.get(i).forward(x, selfMask, mode == Mode.TEXT ? null : cross, i, cache, scale, drop);
    }
    if (hidden != null) {
      hidden.add(x);
    }
    return new Output(x, hidden);
  }

  /** HF pooler: tanh(dense(first token)). Requires the pooler to exist. */
  public NDArray pool(NDArray lastHiddenState) {
    if (pooler == null) {
      throw new IllegalStateException("this text model has no pooler");
    }
    return pooler.forward(lastHiddenState.get(new NDIndex(":, 0, :"))).tanh();
  }

  /**
   * Precomputes every layer's cross-attention keys/values over {@code encoderStates} [G, N, E].
   *
   * @param encoderMask 0/1 [G, N], or null for all visible
   */
  public CrossAttentionContext crossContext(NDArray encoderStates, NDArray encoderMask) {
    return crossContext(encoderStates, encoderMask, 0);
  }

  /** The context of image branch {@code branch} (0 or 1) of a twin cross-attention stack. */
  public CrossAttentionContext crossContext(NDArray encoderStates, NDArray encoderMask, int branch) {
    NDManager m = encoderStates.getManager();
    NDArray[] k = new NDArray[layers.size()];
    NDArray[] v = new NDArray[layers.size()];
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      NDArray[] kv = layer.twin != null ? layer.twin.branch(branch).keyValue(encoderStates) : layer.crossAttention.attention.keyValue(encoderStates);
      k[i] = kv[0];
      v[i] = kv[1];
    }
    NDArray mask = null;
    if (encoderMask != null) {
      Shape ms = encoderMask.getShape();
      NDArray one = ParameterStore.scalar(m, 1f);
      mask = one.sub(encoderMask.toType(DataType.FLOAT32, false)).mul(ParameterStore.scalar(m, CROSS_MASK_VALUE))
          .reshape(ms.get(0), 1, 1, ms.get(1));
    }
    return new CrossAttentionContext(k, v, mask);
  }

  /** Additive mask [B, 1, L, T+L]: padding (and, for the decoder, future positions) at -10000. */
  private static NDArray selfAttentionMask(NDManager m, NDArray attentionMask, long b, long len, long past, boolean causal) {
    long total = past + len;
    if (attentionMask != null && (attentionMask.getShape().get(0) != b || attentionMask.getShape().get(1) != total)) {
      throw new IllegalArgumentException("attention mask " + attentionMask.getShape() + " does not match [" + b + ", " + total + "]");
    }
    if (!causal) {
      if (attentionMask == null) {
        return null;
      }
      NDArray keep = attentionMask.toType(DataType.FLOAT32, false).reshape(b, 1, 1, total);
      return ParameterStore.scalar(m, 1f).sub(keep).mul(ParameterStore.scalar(m, SELF_MASK_VALUE));
    }
    float[] c = new float[(int) (len * total)];
    for (int i = 0; i < len; i++) {
      for (int j = 0; j < total; j++) {
        c[(int) (i * total + j)] = j <= past + i ? 1f : 0f;
      }
    }
    NDArray keep = m.create(c, new Shape(1, 1, len, total));
    if (attentionMask != null) {
      keep = keep.mul(attentionMask.toType(DataType.FLOAT32, false).reshape(b, 1, 1, total));
    }
    return ParameterStore.scalar(m, 1f).sub(keep).mul(ParameterStore.scalar(m, SELF_MASK_VALUE));
  }

  /** BERT (self- or cross-) attention without its output projection: query/key/value → context. */
  static final class QkvAttention {
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final int heads;

    QkvAttention(TextConfig c, ParameterStore store, String prefix, boolean cross) {
      int h = c.hiddenSize();
      int kvIn = cross ? c.encoderHiddenSize() : h;
      query = new Linear(store, prefix + ".query", h, h);
      key = new Linear(store, prefix + ".key", kvIn, h);
      value = new Linear(store, prefix + ".value", kvIn, h);
      heads = c.numAttentionHeads();
    }

    NDArray[] keyValue(NDArray states) {
      return new NDArray[] {Attention.splitHeads(key.forward(states), heads), Attention.splitHeads(value.forward(states), heads)};
    }

    /** Context [B, L, H] of {@code x} attending to k/v. */
    NDArray context(NDArray x, NDArray k, NDArray v, NDArray mask, NDArray scale) {
      return context(x, k, v, mask, scale, 0f);
    }

    /** As above with dropout on the attention probabilities. */
    NDArray context(NDArray x, NDArray k, NDArray v, NDArray mask, NDArray scale, float probsDropout) {
      NDArray q = Attention.splitHeads(query.forward(x), heads);
      return Attention.mergeHeads(Attention.attend(q, k, v, mask, scale, probsDropout));
    }
  }

  /** BERT attention block (self or cross): attention, output dense, residual, LayerNorm. */
  static final class AttentionBlock {
    final QkvAttention attention;
    private final Linear outputDense;
    private final LayerNorm outputLayerNorm;

    AttentionBlock(TextConfig c, ParameterStore store, String prefix, boolean cross) {
      attention = new QkvAttention(c, store, prefix + ".self", cross);
      outputDense = new Linear(store, prefix + ".output.dense", c.hiddenSize(), c.hiddenSize());
      outputLayerNorm = new LayerNorm(store, prefix + ".output.LayerNorm", c.hiddenSize(), c.layerNormEps());
    }

    NDArray[] keyValue(NDArray states) {
      return attention.keyValue(states);
    }

    /** {@code drop} = {hidden, attention-probabilities} dropout. */
    NDArray forward(NDArray x, NDArray k, NDArray v, NDArray mask, NDArray scale, float[] drop) {
      return outputLayerNorm.forward(Dropout.apply(outputDense.forward(attention.context(x, k, v, mask, scale, drop[1])), drop[0]).add(x));
    }
  }

  /** One MED layer: self-attention → (cross-attention) → feed-forward, each with residual + LayerNorm. */
  private static final class Layer {
    private final AttentionBlock selfAttention;
    private final AttentionBlock crossAttention;
    private final TwinCrossAttention twin;
    private final Linear intermediate;
    private final Linear output;
    private final LayerNorm outputLayerNorm;
    private final UnaryOperator<NDArray> act;

    Layer(TextConfig c, ParameterStore store, String prefix, int index, boolean twinCross) {
      selfAttention = new AttentionBlock(c, store, prefix + ".attention", false);
      crossAttention = twinCross ? null : new AttentionBlock(c, store, prefix + ".crossattention", true);
      twin = twinCross ? new TwinCrossAttention(c, store, prefix + ".crossattention", index) : null;
      intermediate = new Linear(store, prefix + ".intermediate.dense", c.hiddenSize(), c.intermediateSize());
      output = new Linear(store, prefix + ".output.dense", c.intermediateSize(), c.hiddenSize());
      outputLayerNorm = new LayerNorm(store, prefix + ".output.LayerNorm", c.hiddenSize(), c.layerNormEps());
      act = Activations.byName(c.hiddenAct());
    }

    NDArray forward(NDArray x, NDArray selfMask, CrossAttentionContext[] cross, int index, KvCache cache, NDArray scale, float[] drop) {
      NDArray[] kv = selfAttention.keyValue(x);
      if (cache != null) {
        kv = cache.append(index, kv[0], kv[1]);
      }
      x = selfAttention.forward(x, kv[0], kv[1], selfMask, scale, drop);
      if (cross != null) {
        if (twin != null) {
          if (cross.length != 2) {
            throw new IllegalArgumentException("twin cross-attention needs two image contexts, got " + cross.length);
          }
          x = twin.forward(x, cross[0], cross[1], index, scale);
        } else {
          if (cross.length != 1) {
            throw new IllegalArgumentException("this text transformer cross-attends to one image, got " + cross.length + " contexts");
          }
          x = crossAttention.forward(x, cross[0].keys()[index], cross[0].values()[index], cross[0].mask(), scale, drop);
        }
      }
      return outputLayerNorm.forward(Dropout.apply(output.forward(act.apply(intermediate.forward(x))), drop[0]).add(x));
    }
  }
}
