package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * What DJL's {@code GradientCollector} does for one training step — autograd on while it is open,
 * {@link #backward} accumulates into the parameters' gradients — for the calling thread only.
 * libtorch's grad mode is per thread; DJL's collector also sets a process-wide flag that allows one
 * collector at a time, so two runs training at once on two threads (the vision warm-up's towers,
 * {@code blip reproduce}'s parallel stages) need this instead.
 */
public final class Autograd implements AutoCloseable {
  private final boolean before;

  /** Turns autograd on for this thread until {@link #close}. */
  public Autograd() {
    before = JniUtils.isGradMode();
    JniUtils.setGradMode(true);
  }

  /** d{@code loss}/d(every leaf that requires a gradient), added to their gradients; the graph is freed. */
  public void backward(NDArray loss) {
    JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
  }

  /** Autograd as it was on this thread before. */
  @Override
  public void close() {
    JniUtils.setGradMode(before);
  }
}
