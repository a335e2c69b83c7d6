package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.TextDecoder;

/**
 * Language modelling (BLIP §3.2): the image-grounded decoder reads [DEC]-first text with causal
 * self-attention and predicts the next token; cross-entropy with label smoothing 0.1, padding ignored.
 */
public final class LM {
  private LM() {}

  /**
   * @param decIds [DEC]-first ids [B, L]
   * @param mask attention mask [B, L] (0 = padding, ignored by the loss)
   * @param imageEmbeds [B, N, H]
   */
  public static NDArray loss(BlipPretrainModel model, NDArray decIds, NDArray mask, NDArray imageEmbeds) {
    NDManager m = decIds.getManager();
    // labels = ids with padding → −100
    NDArray keep = mask.toType(ai.djl.ndarray.types.DataType.INT64, false);
    NDArray labels = decIds.mul(keep).add(keep.sub(m.create(1L)).mul(m.create(-TextDecoder.IGNORE_INDEX)));
    TextDecoder decoder = model.textDecoder();
    return decoder.labelledLmLoss(decIds, mask, decoder.bert().crossContext(imageEmbeds, null), labels, TextDecoder.LABEL_SMOOTHING);
  }
}
