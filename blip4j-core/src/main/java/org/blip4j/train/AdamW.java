package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.blip4j.nn.Parameter;

/**
 * AdamW as {@code torch.optim.AdamW} (decoupled weight decay {@code p ← p·(1 − lr·wd)},
 * bias-corrected moments, eps added to the corrected root), applied in place to raw parameter
 * arrays, one libtorch call per parameter (the same algebra in another order: equal to torch's up
 * to float rounding); optional clipping of the global gradient norm. BLIP uses weight decay 0.05 on every
 * parameter. The moment arrays live in the optimiser's own manager and are part of its state.
 */
public final class AdamW implements AutoCloseable {
  private final NDManager manager;
  private final float beta1;
  private final float beta2;
  private final float eps;
  private final float weightDecay;
  private final Map<Parameter, NDArray[]> moments = new IdentityHashMap<>();
  private long step;

  /** BLIP's settings: betas (0.9, 0.999), eps 1e-8, the given weight decay. */
  public AdamW(NDManager parent, float weightDecay) {
    this(parent, 0.9f, 0.999f, 1e-8f, weightDecay);
  }

  /** Explicit hyper-parameters. */
  public AdamW(NDManager parent, float beta1, float beta2, float eps, float weightDecay) {
    this.manager = parent.newSubManager();
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  /** Steps taken. */
  public long step() {
    return step;
  }

  /**
   * One update of {@code params} with their current gradients at learning rate {@code lr};
   * gradients are first scaled so that their global L2 norm is at most {@code maxGradNorm} (≤ 0: off).
   *
   * @return the global gradient norm before clipping
   */
  public double update(List<Parameter> params, float lr, float maxGradNorm) {
    step++;
    double norm = globalGradNorm(params);
    float clip = maxGradNorm > 0 && norm > maxGradNorm ? (float) (maxGradNorm / (norm + 1e-6)) : 1f;
    double bc1 = 1 - Math.pow(beta1, step);
    double sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, step));
    // torch: p ← p − (lr/bc1)·m / (√v/√bc2 + eps) = p − (lr·√bc2/bc1)·m / (√v + eps·√bc2), the form
    // libtorch's one-call update takes (decay p ← p − lr·wd·p first; the gradient scaled by clip)
    float stepSize = (float) (lr * sqrtBc2 / bc1);
    float epsHat = (float) (eps * sqrtBc2);
    for (Parameter p : params) {
      PtNDArray w = (PtNDArray) p.array();
      NDArray[] mv = moments.computeIfAbsent(p, this::zeroMoments);
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        JniUtils.adamUpdate(w, (PtNDArray) w.getGradient(), (PtNDArray) mv[0], (PtNDArray) mv[1], lr, stepSize, weightDecay, clip, -1f,
            beta1, beta2, epsHat, true);
      }
      JniUtils.zeroGrad(w); // autograd accumulates: start the next step from zero
    }
    return norm;
  }

  /** √(Σ‖g‖²) over the parameters' gradients: each sum of squares in float32, their total in float64, one read-back. */
  private static double globalGradNorm(List<Parameter> params) {
    if (params.isEmpty()) {
      return 0;
    }
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDList squares = new NDList(params.size());
      for (Parameter p : params) {
        squares.add(p.array().getGradient().square().sum());
      }
      return Math.sqrt(NDArrays.stack(squares).toType(DataType.FLOAT64, false).sum().getDouble());
    }
  }

  /** The first and second moments of {@code p} (null before its first update). */
  public NDArray[] moments(Parameter p) {
    return moments.get(p);
  }

  /** The moments of {@code p}, created as zeros when {@code create} and there are none yet (restoring a checkpoint). */
  public NDArray[] moments(Parameter p, boolean create) {
    return create ? moments.computeIfAbsent(p, this::zeroMoments) : moments.get(p);
  }

  private NDArray[] zeroMoments(Parameter p) {
    NDArray w = p.array();
    return new NDArray[] {manager.zeros(w.getShape(), w.getDataType()), manager.zeros(w.getShape(), w.getDataType())};
  }

  /** Sets the step counter (restoring a checkpoint; it drives the bias corrections). */
  public void setStep(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("optimizer step must be >= 0, got " + step);
    }
    this.step = step;
  }

  @Override
  public void close() {
    manager.close();
  }
}
