package org.blip4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * {@code BlipForQuestionAnswering}: ViT + image-grounded question encoder ({@code text_encoder},
 * [ENC] first) + answer decoder ({@code text_decoder}) cross-attending to the question states.
 */
public final class BlipVqaModel extends BlipPretrainedModel {
  /** HF class name. */
  public static final String ARCHITECTURE = "BlipForQuestionAnswering";

  private final TextTransformer textEncoder;
  private final TextDecoder textDecoder;

  /**
   * Builds the model with unset parameters in a sub-manager of {@code parent}, the answer decoder's
   * LM head tied to its word embeddings as in salesforce/BLIP.
   */
  public BlipVqaModel(BlipConfig config, NDManager parent) {
    this(config, true, parent);
  }

  /** As above; {@code tiedLmHead} false keeps the LM head a separate parameter (see {@link TextDecoder}). */
  public BlipVqaModel(BlipConfig config, boolean tiedLmHead, NDManager parent) {
    super(config, parent);
    this.textEncoder = new TextTransformer(config.text(), store, "text_encoder", false);
    this.textDecoder = new TextDecoder(config.text(), store, "text_decoder", tiedLmHead);
  }

  /** The question encoder. */
  public TextTransformer textEncoder() {
    return textEncoder;
  }

  /** The answer decoder. */
  public TextDecoder textDecoder() {
    return textDecoder;
  }

  /**
   * The image-grounded question encoding: {@code [ENC]}-first question ids [B, T] with their mask,
   * cross-attending to all image tokens [B, N, H] → question states [B, T, H].
   */
  public NDArray questionStates(NDArray imageEmbeds, NDArray questionIds, NDArray questionMask) {
    return textEncoder.forward(questionIds, questionMask, TextTransformer.Mode.MULTIMODAL, textEncoder.crossContext(imageEmbeds, null), null, false)
        .lastHiddenState();
  }

  @Override
  public String architecture() {
    return ARCHITECTURE;
  }
}
