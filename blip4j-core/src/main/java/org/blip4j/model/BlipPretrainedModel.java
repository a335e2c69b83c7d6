package org.blip4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.blip4j.nn.ParameterStore;
import org.blip4j.vision.VisionTransformer;

/**
 * Common base of the BLIP model classes: the config, the parameter store (HF state-dict names) and
 * the ViT every BLIP model has. Thread-safe for concurrent forward passes once loaded (parameters
 * are read-only during inference).
 */
public abstract class BlipPretrainedModel implements AutoCloseable {
  protected final BlipConfig config;
  protected final ParameterStore store;
  protected final VisionTransformer vision;

  protected BlipPretrainedModel(BlipConfig config, NDManager parent) {
    this.config = config;
    this.store = new ParameterStore(parent);
    this.vision = new VisionTransformer(config.vision(), store, "vision_model");
  }

  /** The configuration. */
  public BlipConfig config() {
    return config;
  }

  /** The parameters by HF state-dict name. */
  public ParameterStore parameters() {
    return store;
  }

  /** The image encoder. */
  public VisionTransformer vision() {
    return vision;
  }

  /** HF architecture name of this class (config.json {@code architectures[0]}). */
  public abstract String architecture();

  /** Image token states [B, N, H] (post-LayerNorm), the input of every cross-attention. */
  public NDArray imageEmbeds(NDArray pixelValues) {
    return vision.forward(pixelValues, false).lastHiddenState();
  }

  /** Frees every parameter. */
  @Override
  public void close() {
    store.close();
  }
}
