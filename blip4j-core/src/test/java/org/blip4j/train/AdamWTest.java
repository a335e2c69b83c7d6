package org.blip4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Random;
import org.blip4j.Blip4j;
import org.blip4j.nn.Parameter;
import org.blip4j.nn.ParameterStore;
import org.junit.jupiter.api.Test;

/**
 * {@link AdamW} against torch.optim.AdamW's single-tensor algorithm written out in doubles here:
 * decay p·(1 − lr·wd), moments of the clipped gradient, p − (lr/bc1)·m / (√v/√bc2 + eps). A large
 * eps and lr make every term visible; the clip threshold lies between the steps' gradient norms,
 * so some steps are clipped and some are not.
 */
class AdamWTest {
  private static final float LR = 0.05f;
  private static final float WD = 0.3f;
  private static final float EPS = 1e-2f;
  private static final float MAX_NORM = 3f;

  @Test
  void followsTorchAdamWStepByStep() {
    Blip4j.init();
    Random r = new Random(11);
    int[] sizes = {6, 4};
    double[][] w = new double[2][];
    double[][] m = new double[2][];
    double[][] v = new double[2][];
    try (NDManager root = NDManager.newBaseManager()) {
      ParameterStore store = new ParameterStore(root);
      Parameter[] params = new Parameter[2];
      for (int k = 0; k < 2; k++) {
        w[k] = new double[sizes[k]];
        m[k] = new double[sizes[k]];
        v[k] = new double[sizes[k]];
        float[] init = new float[sizes[k]];
        for (int i = 0; i < init.length; i++) {
          init[i] = (float) r.nextGaussian();
          w[k][i] = init[i];
        }
        params[k] = store.create("p" + k, Parameter.Init.ZEROS, sizes[k]);
        params[k].set(store.manager().create(init, new Shape(sizes[k])));
        params[k].array().setRequiresGradient(true);
      }
      int clipped = 0;
      try (AdamW adam = new AdamW(root, 0.9f, 0.999f, EPS, WD)) {
        for (int step = 1; step <= 6; step++) {
          double scale = step % 2 == 0 ? 0.5 : 2.5; // gradient norms on both sides of MAX_NORM
          float[][] g = new float[2][];
          double sq = 0;
          try (NDManager s = root.newSubManager()) {
            NDArray loss = null;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
              for (int k = 0; k < 2; k++) {
                g[k] = new float[sizes[k]];
                for (int i = 0; i < sizes[k]; i++) {
                  g[k][i] = (float) (scale * r.nextGaussian());
                  sq += (double) g[k][i] * g[k][i];
                }
                NDArray term = params[k].array().mul(s.create(g[k])).sum(); // d/dp = g
                loss = loss == null ? term : loss.add(term);
              }
              gc.backward(loss);
            }
            double norm = adam.update(List.of(params), LR, MAX_NORM);
            assertThat(norm).isCloseTo(Math.sqrt(sq), within(1e-5 * Math.sqrt(sq)));
          }
          double clip = Math.sqrt(sq) > MAX_NORM ? MAX_NORM / (Math.sqrt(sq) + 1e-6) : 1;
          clipped += clip < 1 ? 1 : 0;
          double bc1 = 1 - Math.pow(0.9, step);
          double bc2 = 1 - Math.pow(0.999, step);
          for (int k = 0; k < 2; k++) {
            for (int i = 0; i < sizes[k]; i++) {
              double gi = g[k][i] * clip;
              w[k][i] *= 1 - LR * WD;
              m[k][i] = 0.9 * m[k][i] + 0.1 * gi;
              v[k][i] = 0.999 * v[k][i] + 0.001 * gi * gi;
              w[k][i] -= LR / bc1 * m[k][i] / (Math.sqrt(v[k][i]) / Math.sqrt(bc2) + EPS);
            }
            float[] got = params[k].array().toFloatArray();
            float[][] mv = {adam.moments(params[k])[0].toFloatArray(), adam.moments(params[k])[1].toFloatArray()};
            for (int i = 0; i < sizes[k]; i++) {
              assertThat((double) got[i]).as("p%d[%d] after step %d", k, i, step).isCloseTo(w[k][i], within(2e-6 + 2e-6 * Math.abs(w[k][i])));
              assertThat((double) mv[0][i]).isCloseTo(m[k][i], within(1e-6 + 1e-5 * Math.abs(m[k][i])));
              assertThat((double) mv[1][i]).isCloseTo(v[k][i], within(1e-7 + 1e-5 * Math.abs(v[k][i])));
            }
            assertThat(params[k].array().getGradient().abs().sum().getFloat()).as("gradient zeroed after the update").isZero();
          }
        }
        assertThat(adam.step()).isEqualTo(6);
      }
      assertThat(clipped).isBetween(1, 5);
      store.close();
    }
  }
}
