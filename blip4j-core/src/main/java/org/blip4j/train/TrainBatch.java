package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.blip4j.data.transform.TrainTransform;

/** Turning a list of transformed samples into the tensors a step needs. */
final class TrainBatch {
  private TrainBatch() {}

  /** The items' pixels stacked into [B, 3, S, S]. */
  static NDArray pixels(NDManager m, List<TrainTransform.Output> items) {
    return stack(m, items.stream().map(TrainTransform.Output::pixels).toList());
  }

  /** CHW images stacked into [B, 3, S, S] (square images, as the training transform makes them). */
  static NDArray stack(NDManager m, List<float[]> images) {
    int b = images.size();
    int per = images.get(0).length;
    int side = (int) Math.round(Math.sqrt(per / 3.0));
    if (3 * side * side != per) {
      throw new IllegalArgumentException("training images must be square RGB, got " + per + " values per image");
    }
    float[] px = new float[b * per];
    for (int i = 0; i < b; i++) {
      if (images.get(i).length != per) {
        throw new IllegalArgumentException("images of one batch differ in size (" + images.get(i).length + " vs " + per + " values)");
      }
      System.arraycopy(images.get(i), 0, px, i * per, per);
    }
    return m.create(px, new Shape(b, 3, side, side));
  }
}
