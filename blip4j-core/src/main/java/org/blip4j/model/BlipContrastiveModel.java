package org.blip4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.blip4j.nn.Linear;
import org.blip4j.nn.Parameter;

/**
 * HF {@code BlipModel}: ViT + text model with pooler, bias-free {@code visual_projection} /
 * {@code text_projection} on the pooled outputs, and a learnable {@code logit_scale}.
 */
public final class BlipContrastiveModel extends BlipPretrainedModel {
  /** HF class name. */
  public static final String ARCHITECTURE = "BlipModel";

  private final TextTransformer textModel;
  private final Linear visualProjection;
  private final Linear textProjection;
  private final Parameter logitScale;

  /** Builds the model with unset parameters in a sub-manager of {@code parent}. */
  public BlipContrastiveModel(BlipConfig config, NDManager parent) {
    super(config, parent);
    this.textModel = new TextTransformer(config.text(), store, "text_model", true);
    this.visualProjection = new Linear(store, "visual_projection", config.vision().hiddenSize(), config.projectionDim(), false);
    this.textProjection = new Linear(store, "text_projection", config.text().hiddenSize(), config.projectionDim(), false);
    this.logitScale = store.create("logit_scale", Parameter.Init.ZEROS);
  }

  /** L2-normalised image embeddings from the pooled [CLS] output. */
  public NDArray imageFeatures(NDArray pixelValues) {
    return Similarity.l2Normalize(visualProjection.forward(vision.forward(pixelValues, false).poolerOutput()));
  }

  /** L2-normalised text embeddings from the pooled first token. */
  public NDArray textFeatures(NDArray inputIds, NDArray attentionMask) {
    NDArray h = textModel.forward(inputIds, attentionMask, TextTransformer.Mode.TEXT, null, null, false).lastHiddenState();
    return Similarity.l2Normalize(textProjection.forward(textModel.pool(h)));
  }

  /** The learnable temperature (log scale). */
  public Parameter logitScale() {
    return logitScale;
  }

  @Override
  public String architecture() {
    return ARCHITECTURE;
  }
}
