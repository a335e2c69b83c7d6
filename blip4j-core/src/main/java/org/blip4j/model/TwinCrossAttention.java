package org.blip4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import org.blip4j.nn.LayerNorm;
import org.blip4j.nn.Linear;
import org.blip4j.nn.ParameterStore;

/**
 * NLVR2's twin cross-attention ({@code models/nlvr_encoder.py}): the text attends to image 0 with
 * {@code self0} and to image 1 with {@code self1}; each branch is projected by {@code dense0} /
 * {@code dense1}; below layer {@value #MERGE_FROM} the two are averaged, from that layer up they are
 * concatenated and merged by {@code merge_layer} (Linear 2H → H); then residual + LayerNorm.
 */
public final class TwinCrossAttention {
  /** First layer index whose branches are merged by a learned layer instead of averaged. */
  public static final int MERGE_FROM = 6;

  private final TextTransformer.QkvAttention self0;
  private final TextTransformer.QkvAttention self1;
  private final Linear dense0;
  private final Linear dense1;
  private final Linear mergeLayer;
  private final LayerNorm layerNorm;

  TwinCrossAttention(TextConfig c, ParameterStore store, String prefix, int layerIndex) {
    int h = c.hiddenSize();
    self0 = new TextTransformer.QkvAttention(c, store, prefix + ".self0", true);
    self1 = new TextTransformer.QkvAttention(c, store, prefix + ".self1", true);
    dense0 = new Linear(store, prefix + ".output.dense0", h, h);
    dense1 = new Linear(store, prefix + ".output.dense1", h, h);
    mergeLayer = layerIndex >= MERGE_FROM ? new Linear(store, prefix + ".output.merge_layer", 2L * h, h) : null;
    layerNorm = new LayerNorm(store, prefix + ".output.LayerNorm", h, c.layerNormEps());
  }

  TextTransformer.QkvAttention branch(int b) {
    if (b != 0 && b != 1) {
      throw new IllegalArgumentException("twin cross-attention has branches 0 and 1, not " + b);
    }
    return b == 0 ? self0 : self1;
  }

  NDArray forward(NDArray x, CrossAttentionContext image0, CrossAttentionContext image1, int layer, NDArray scale) {
    NDArray h0 = dense0.forward(self0.context(x, image0.keys()[layer], image0.values()[layer], image0.mask(), scale));
    NDArray h1 = dense1.forward(self1.context(x, image1.keys()[layer], image1.values()[layer], image1.mask(), scale));
    NDArray merged = mergeLayer != null
        ? mergeLayer.forward(NDArrays.concat(new NDList(h0, h1), -1))
        : h0.add(h1).div(ParameterStore.scalar(x.getManager(), 2f));
    return layerNorm.forward(merged.add(x));
  }
}
