package org.blip4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Scaled dot-product attention shared by the ViT and the BERT stack, with grouped broadcasting:
 * {@code q} has batch {@code B = G·r} and {@code k}/{@code v} batch {@code G}; each run of {@code r}
 * consecutive query rows attends to the same key/value row. This lets the image's cross-attention
 * keys/values be computed once per image and shared by every beam or every text of that image,
 * without copying them.
 */
public final class Attention {
  private Attention() {}

  /**
   * @param q [B, H, Lq, d]
   * @param k [G, H, Lk, d] with B % G == 0
   * @param v [G, H, Lk, d]
   * @param mask additive mask broadcastable to [B, 1|H, Lq, Lk] (batch B), or null
   * @param scale scalar NDArray 1/sqrt(d)
   * @return context [B, H, Lq, d]
   */
  public static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, NDArray scale) {
    return attend(q, k, v, mask, scale, 0f);
  }

  /** As {@link #attend(NDArray, NDArray, NDArray, NDArray, NDArray)} with dropout {@code probsDropout} on the attention probabilities (training). */
  public static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, NDArray scale, float probsDropout) {
    long b = q.getShape().get(0);
    long g = k.getShape().get(0);
    if (g == b) {
      NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale);
      if (mask != null) {
        scores = scores.add(mask);
      }
      return Dropout.apply(scores.softmax(-1), probsDropout).matMul(v);
    }
    if (b % g != 0) {
      throw new IllegalArgumentException("query batch " + b + " is not a multiple of key batch " + g);
    }
    long r = b / g;
    Shape qs = q.getShape();
    NDArray q5 = q.reshape(g, r, qs.get(1), qs.get(2), qs.get(3));
    NDArray k5 = k.expandDims(1).transpose(0, 1, 2, 4, 3); // [G,1,H,d,Lk]
    NDArray scores = q5.matMul(k5).mul(scale); // [G,r,H,Lq,Lk]
    if (mask != null) {
      Shape ms = mask.getShape();
      scores = scores.add(mask.reshape(g, ms.get(0) == b ? r : 1, ms.get(1), ms.get(2), ms.get(3)));
    }
    NDArray ctx = Dropout.apply(scores.softmax(-1), probsDropout).matMul(v.expandDims(1)); // [G,r,H,Lq,d]
    return ctx.reshape(qs);
  }

  /** [B, L, H·d] → [B, H, L, d]. */
  public static NDArray splitHeads(NDArray x, int heads) {
    Shape s = x.getShape();
    return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
  }

  /** [B, H, L, d] → [B, L, H·d]. */
  public static NDArray mergeHeads(NDArray x) {
    Shape s = x.getShape();
    return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
  }
}
