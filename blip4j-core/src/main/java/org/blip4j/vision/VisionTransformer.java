package org.blip4j.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
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
 * BLIP's image encoder ({@code BlipVisionModel}): conv patch embedding, class token, learned
 * position embeddings, pre-LN transformer blocks with fused qkv, final LayerNorm.
 * Parameter names follow HF: {@code vision_model.embeddings.*}, {@code vision_model.encoder.layers.N.*},
 * {@code vision_model.post_layernorm.*}.
 */
public final class VisionTransformer {

  /** Outputs: post-LayerNorm states of all tokens, the pooled [CLS] (post_layernorm applied again, as HF), optional per-layer states. */
  public record Output(NDArray lastHiddenState, NDArray poolerOutput, List<NDArray> hiddenStates) {}

  /** Images per ViT pass (property {@code blip4j.vision.microbatch}, default 2). */
  static final int MICRO_BATCH = Integer.getInteger("blip4j.vision.microbatch", 2);

  private final VisionConfig config;
  private final Parameter patchWeight;
  private final Parameter patchBias;
  private final Parameter classEmbedding;
  private final Parameter positionEmbedding;
  private final List<Block> layers = new ArrayList<>();
  private final LayerNorm postLayerNorm;
  private float dropPath;

  /** Builds the ViT, registering its parameters under {@code prefix} (normally "vision_model"). */
  public VisionTransformer(VisionConfig config, ParameterStore store, String prefix) {
    this.config = config;
    int h = config.hiddenSize();
    String e = prefix + ".embeddings.";
    this.patchWeight = store.create(e + "patch_embedding.weight", Parameter.Init.NORMAL, h, 3, config.patchSize(), config.patchSize());
    this.patchBias = store.create(e + "patch_embedding.bias", Parameter.Init.ZEROS, h);
    this.classEmbedding = store.create(e + "class_embedding", Parameter.Init.NORMAL, 1, 1, h);
    this.positionEmbedding = store.create(e + "position_embedding", Parameter.Init.NORMAL, 1, config.numPositions(), h);
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      layers.add(new Block(config, store, prefix + ".encoder.layers." + i));
    }
    this.postLayerNorm = new LayerNorm(store, prefix + ".post_layernorm", h, config.layerNormEps());
  }

  /** The configuration. */
  public VisionConfig config() {
    return config;
  }

  /**
   * Stochastic depth while training, as BLIP's {@code create_vit(..., drop_path_rate)}: block i of N
   * drops its attention and MLP branches per sample with probability {@code rate·i/(N − 1)} (timm's
   * {@code linspace(0, rate, N)}). BLIP fine-tunes VQA and NLVR with 0.1 and everything else with 0.
   * 0 — off — unless set; set it back to 0 for evaluation.
   */
  public void setDropPath(float rate) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("drop-path rate must be in [0, 1), got " + rate);
    }
    this.dropPath = rate;
  }

  /** The stochastic-depth rate set by {@link #setDropPath} (0: off). */
  public float dropPath() {
    return dropPath;
  }

  /**
   * Encodes normalised images.
   *
   * @param pixelValues [B, 3, S, S] float32, S = config image size
   * @param keepHiddenStates whether to return the embeddings output and each layer's output
   */
  public Output forward(NDArray pixelValues, boolean keepHiddenStates) {
    long total = pixelValues.getShape().get(0);
    if (total <= MICRO_BATCH) {
      return forwardBatch(pixelValues, keepHiddenStates);
    }
    // Large activations (B·577² attention scores at 384 px) cost more in fresh-page faults than the
    // bigger matmuls gain: micro-batches are faster on CPU and give identical per-image results.
    List<Output> parts = new ArrayList<>();
    for (long start = 0; start < total; start += MICRO_BATCH) {
      parts.add(forwardBatch(pixelValues.get(start + ":" + Math.min(total, start + MICRO_BATCH)), keepHiddenStates));
    }
    List<NDArray> hidden = null;
    if (keepHiddenStates) {
      hidden = new ArrayList<>();
      for (int i = 0; i < parts.get(0).hiddenStates().size(); i++) {
        NDList layer = new NDList();
        for (Output o : parts) {
          layer.add(o.hiddenStates().get(i));
        }
        hidden.add(NDArrays.concat(layer, 0));
      }
    }
    NDList last = new NDList();
    NDList pooled = new NDList();
    for (Output o : parts) {
      last.add(o.lastHiddenState());
      pooled.add(o.poolerOutput());
    }
    return new Output(NDArrays.concat(last, 0), NDArrays.concat(pooled, 0), hidden);
  }

  private Output forwardBatch(NDArray pixelValues, boolean keepHiddenStates) {
    Shape s = pixelValues.getShape();
    if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) != config.imageSize() || s.get(3) != config.imageSize()) {
      throw new IllegalArgumentException(
          "pixel values must be [B, 3, " + config.imageSize() + ", " + config.imageSize() + "], got " + s);
    }
    long b = s.get(0);
    int p = config.patchSize();
    NDArray patches = Conv2d.conv2d(pixelValues, patchWeight.array(), patchBias.array(), new Shape(p, p), new Shape(0, 0), new Shape(1, 1), 1)
        .singletonOrThrow(); // [B, H, g, g]
    patches = patches.reshape(b, config.hiddenSize(), -1).transpose(0, 2, 1); // [B, N, H]
    NDArray cls = pixelValues.getManager().zeros(new Shape(b, 1, config.hiddenSize())).add(classEmbedding.array());
    NDArray x = NDArrays.concat(new NDList(cls, patches), 1).add(positionEmbedding.array());
    List<NDArray> hidden = keepHiddenStates ? new ArrayList<>() : null;
    for (int i = 0; i < layers.size(); i++) {
      if (hidden != null) {
        hidden.add(x);
      }
      x = layers.get(i).forward(x, layers.size() == 1 ? 0f : dropPath * i / (layers.size() - 1));
    }
    if (hidden != null) {
      hidden.add(x);
    }
    NDArray last = postLayerNorm.forward(x);
    NDArray pooled = postLayerNorm.forward(last.get(new NDIndex(":, 0, :")));
    return new Output(last, pooled, hidden);
  }

  /** One pre-LN block: x + attn(ln1(x)), then x + mlp(ln2(x)). */
  private static final class Block {
    private final LayerNorm layerNorm1;
    private final LayerNorm layerNorm2;
    private final Linear qkv;
    private final Linear projection;
    private final Linear fc1;
    private final Linear fc2;
    private final UnaryOperator<NDArray> act;
    private final int heads;
    private final float scale;

    Block(VisionConfig c, ParameterStore store, String prefix) {
      int h = c.hiddenSize();
      layerNorm1 = new LayerNorm(store, prefix + ".layer_norm1", h, c.layerNormEps());
      layerNorm2 = new LayerNorm(store, prefix + ".layer_norm2", h, c.layerNormEps());
      qkv = new Linear(store, prefix + ".self_attn.qkv", h, 3L * h);
      projection = new Linear(store, prefix + ".self_attn.projection", h, h);
      fc1 = new Linear(store, prefix + ".mlp.fc1", h, c.intermediateSize());
      fc2 = new Linear(store, prefix + ".mlp.fc2", c.intermediateSize(), h);
      act = Activations.byName(c.hiddenAct());
      heads = c.numAttentionHeads();
      scale = (float) Math.pow(h / (double) heads, -0.5);
    }

    /** The block with its residual branches dropped per sample with probability {@code dropPath} (0: off). */
    NDArray forward(NDArray x, float dropPath) {
      Shape s = x.getShape();
      long b = s.get(0);
      long n = s.get(1);
      long h = s.get(2);
      NDArray mixed = qkv.forward(layerNorm1.forward(x)).reshape(b, n, 3, heads, h / heads).transpose(2, 0, 3, 1, 4);
      NDArray q = mixed.get(0);
      NDArray k = mixed.get(1);
      NDArray v = mixed.get(2);
      NDArray ctx = Attention.attend(q, k, v, null, ParameterStore.scalar(x.getManager(), scale));
      x = x.add(Dropout.dropPath(projection.forward(Attention.mergeHeads(ctx)), dropPath));
      return x.add(Dropout.dropPath(fc2.forward(act.apply(fc1.forward(layerNorm2.forward(x)))), dropPath));
    }
  }
}
