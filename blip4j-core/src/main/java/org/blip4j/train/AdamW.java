package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.blip4j.nn.Parameter;

/**
 * AdamW exactly as {@code torch.optim.AdamW} (decoupled weight decay {@code p ← p·(1 − lr·wd)},
 * bias-corrected moments, eps added to the corrected root), applied in place to raw parameter
 * arrays; optional clipping of the global gradient norm. BLIP uses weight decay 0.05 on every
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
    double sq = 0;
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      for (Parameter p : params) {
        sq += p.array().getGradient().square().sum().toType(DataType.FLOAT64, false).getDouble();
      }
    }
    double norm = Math.sqrt(sq);
    float clip = maxGradNorm > 0 && norm > maxGradNorm ? (float) (maxGradNorm / (norm + 1e-6)) : 1f;
    double bc1 = 1 - Math.pow(beta1, step);
    double bc2 = 1 - Math.pow(beta2, step);
    for (Parameter p : params) {
      NDArray w = p.array();
      NDArray[] mv = moments.computeIfAbsent(p, this::zeroMoments);
      try (NDScope scope = new NDScope()) { // every temporary of this update is freed here
        scope.suppressNotUsedWarning();
        NDArray g = w.getGradient().mul(w.getManager().create(clip));
        mv[0].muli(scalar(w, beta1)).addi(g.mul(scalar(w, 1 - beta1)));
        mv[1].muli(scalar(w, beta2)).addi(g.square().mul(scalar(w, 1 - beta2)));
        w.muli(scalar(w, 1 - lr * weightDecay));
        NDArray denom = mv[1].sqrt().div(scalar(w, (float) Math.sqrt(bc2))).add(scalar(w, eps));
        w.subi(mv[0].div(denom).mul(scalar(w, (float) (lr / bc1))));
        w.getGradient().muli(scalar(w, 0f)); // autograd accumulates: start the next step from zero
      }
    }
    return norm;
  }

  private static NDArray scalar(NDArray like, float v) {
    return like.getManager().create(v).toType(like.getDataType(), false);
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
