package org.blip4j.model;

import ai.djl.ndarray.NDManager;

/** {@code BlipForConditionalGeneration}: ViT + image-grounded text decoder (captioning). */
public final class BlipCaptioningModel extends BlipPretrainedModel {
  /** HF class name. */
  public static final String ARCHITECTURE = "BlipForConditionalGeneration";

  private final TextDecoder textDecoder;

  /** Builds the model with unset parameters in a sub-manager of {@code parent}. */
  public BlipCaptioningModel(BlipConfig config, NDManager parent) {
    super(config, parent);
    this.textDecoder = new TextDecoder(config.text(), store, "text_decoder");
  }

  /** The image-grounded text decoder. */
  public TextDecoder textDecoder() {
    return textDecoder;
  }

  @Override
  public String architecture() {
    return ARCHITECTURE;
  }
}
