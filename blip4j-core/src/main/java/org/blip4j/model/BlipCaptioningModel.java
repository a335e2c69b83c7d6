package org.blip4j.model;

import ai.djl.ndarray.NDManager;

/** {@code BlipForConditionalGeneration}: ViT + image-grounded text decoder (captioning). */
public final class BlipCaptioningModel extends BlipPretrainedModel {
  /** HF class name. */
  public static final String ARCHITECTURE = "BlipForConditionalGeneration";

  private final TextDecoder textDecoder;

  /**
   * Builds the model with unset parameters in a sub-manager of {@code parent}, its LM head tied to
   * the decoder's word embeddings as in salesforce/BLIP.
   */
  public BlipCaptioningModel(BlipConfig config, NDManager parent) {
    this(config, true, parent);
  }

  /** As above; {@code tiedLmHead} false keeps the LM head a separate parameter (see {@link TextDecoder}). */
  public BlipCaptioningModel(BlipConfig config, boolean tiedLmHead, NDManager parent) {
    super(config, parent);
    this.textDecoder = new TextDecoder(config.text(), store, "text_decoder", tiedLmHead);
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
