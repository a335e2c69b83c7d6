package org.blip4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import org.blip4j.nn.Linear;

/**
 * BLIP for NLVR2 ({@code BLIP_NLVR}, original code only): one ViT encodes both images; the
 * image-grounded text encoder ([ENC] first) cross-attends to image 0 and image 1 through
 * {@link TwinCrossAttention} in every layer; {@code cls_head} (Linear → ReLU → Linear) on the first
 * token predicts false / true.
 */
public final class BlipNlvrModel extends BlipPretrainedModel {
  /** Architecture name used in our config.json (no HF class exists). */
  public static final String ARCHITECTURE = "BlipForNlvr2";

  private final TextTransformer textEncoder;
  private final Linear clsHead0;
  private final Linear clsHead2;

  /** Builds the model with unset parameters in a sub-manager of {@code parent}. */
  public BlipNlvrModel(BlipConfig config, NDManager parent) {
    super(config, parent);
    int h = config.text().hiddenSize();
    this.textEncoder = new TextTransformer(config.text(), store, "text_encoder", false, true);
    this.clsHead0 = new Linear(store, "cls_head.0", h, h);
    this.clsHead2 = new Linear(store, "cls_head.2", h, 2);
  }

  /** The twin-cross-attention text encoder. */
  public TextTransformer textEncoder() {
    return textEncoder;
  }

  /** Text states [B, L, H] for sentence i about the pair (image0[i], image1[i]). */
  public NDArray textStates(NDArray imageEmbeds0, NDArray imageEmbeds1, NDArray inputIds, NDArray attentionMask) {
    CrossAttentionContext[] images = {textEncoder.crossContext(imageEmbeds0, null, 0), textEncoder.crossContext(imageEmbeds1, null, 1)};
    return textEncoder.forwardBranches(inputIds, attentionMask, TextTransformer.Mode.MULTIMODAL, images, null, false).lastHiddenState();
  }

  /** Logits [B, 2] (index 1 = the sentence is true of the pair) from text states. */
  public NDArray logits(NDArray textStates) {
    return clsHead2.forward(clsHead0.forward(textStates.get(new NDIndex(":, 0, :"))).getNDArrayInternal().relu());
  }

  @Override
  public String architecture() {
    return ARCHITECTURE;
  }
}
