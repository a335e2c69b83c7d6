package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.blip4j.data.transform.TrainTransform;

/** Turning a list of transformed samples into the tensors a step needs. */
final class TrainBatch {
  private TrainBatch() {}

  /** The items' pixels stacked into [B, 3, S, S] (square images, as the training transform makes them). */
  static NDArray pixels(NDManager m, List<TrainTransform.Output> items) {
    int b = items.size();
    int per = items.get(0).pixels().length;
    int side = (int) Math.round(Math.sqrt(per / 3.0));
    if (3 * side * side != per) {
      throw new IllegalArgumentException("training images must be square RGB, got " + per + " values per image");
    }
    float[] px = new float[b * per];
    for (int i = 0; i < b; i++) {
      if (items.get(i).pixels().length != per) {
        throw new IllegalArgumentException("images of one batch differ in size (" + items.get(i).pixels().length + " vs " + per + " values)");
      }
      System.arraycopy(items.get(i).pixels(), 0, px, i * per, per);
    }
    return m.create(px, new Shape(b, 3, side, side));
  }
}
