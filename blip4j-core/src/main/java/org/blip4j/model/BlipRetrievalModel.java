package org.blip4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import org.blip4j.nn.Linear;

/**
 * {@code BlipForImageTextRetrieval}: ViT + MED text encoder used unimodally for ITC (with
 * {@code vision_proj}/{@code text_proj}) and image-grounded for ITM ({@code itm_head} on the first token).
 */
public final class BlipRetrievalModel extends BlipPretrainedModel {
  /** HF class name. */
  public static final String ARCHITECTURE = "BlipForImageTextRetrieval";

  private final TextTransformer textEncoder;
  private final Linear visionProj;
  private final Linear textProj;
  private final Linear itmHead;

  /** Builds the model with unset parameters in a sub-manager of {@code parent}. */
  public BlipRetrievalModel(BlipConfig config, NDManager parent) {
    super(config, parent);
    this.textEncoder = new TextTransformer(config.text(), store, "text_encoder", false);
    this.visionProj = new Linear(store, "vision_proj", config.vision().hiddenSize(), config.imageTextHiddenSize());
    this.textProj = new Linear(store, "text_proj", config.text().hiddenSize(), config.imageTextHiddenSize());
    this.itmHead = new Linear(store, "itm_head", config.text().hiddenSize(), 2);
  }

  /** The MED text encoder. */
  public TextTransformer textEncoder() {
    return textEncoder;
  }

  /** L2-normalised ITC image features [B, D] from image embeds [B, N, H]. */
  public NDArray imageFeatures(NDArray imageEmbeds) {
    return Similarity.l2Normalize(visionProj.forward(imageEmbeds.get(new NDIndex(":, 0, :"))));
  }

  /** L2-normalised ITC text features [T, D] from the unimodal encoder's [CLS] state. */
  public NDArray textFeatures(NDArray inputIds, NDArray attentionMask) {
    NDArray h = textEncoder.forward(inputIds, attentionMask, TextTransformer.Mode.TEXT, null, null, false).lastHiddenState();
    return Similarity.l2Normalize(textProj.forward(h.get(new NDIndex(":, 0, :"))));
  }

  /** Unimodal text states [T, L, H] (ITC path). */
  public NDArray textStates(NDArray inputIds, NDArray attentionMask) {
    return textEncoder.forward(inputIds, attentionMask, TextTransformer.Mode.TEXT, null, null, false).lastHiddenState();
  }

  /**
   * ITM: image-grounded encoding of texts against images. Query rows are grouped by image: with
   * G images in {@code image} and B = G·r texts, text rows {@code [g·r, (g+1)·r)} pair with image g.
   *
   * @return multimodal states [B, L, H]
   */
  public NDArray multimodalStates(NDArray inputIds, NDArray attentionMask, CrossAttentionContext image) {
    return textEncoder.forward(inputIds, attentionMask, TextTransformer.Mode.MULTIMODAL, image, null, false).lastHiddenState();
  }

  /** ITM logits [B, 2] (index 1 = match) from multimodal states. */
  public NDArray itmLogits(NDArray multimodalStates) {
    return itmHead.forward(multimodalStates.get(new NDIndex(":, 0, :")));
  }

  @Override
  public String architecture() {
    return ARCHITECTURE;
  }
}
