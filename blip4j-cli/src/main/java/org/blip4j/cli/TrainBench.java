package org.blip4j.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.blip4j.model.BlipConfig;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.TextConfig;
import org.blip4j.train.Pretraining;
import org.blip4j.vision.VisionConfig;

/**
 * {@code blip bench --train}: pre-training throughput (ITC + ITM + LM forward/backward, AdamW,
 * momentum and queue update) in samples/s, median over runs, batch 8, random init and data.
 */
final class TrainBench {
  private TrainBench() {}

  /** Median samples/s per configuration, keys {@code train_<config>_b<batch>}. */
  static Map<String, Double> run(int runs, int warmup, int batch, PrintWriter err) {
    Map<String, Double> out = new LinkedHashMap<>();
    Map<String, BlipConfig> configs = new LinkedHashMap<>();
    configs.put("tiny", new BlipConfig(new VisionConfig(48, 96, 2, 4, 64, 16, 1e-6, "gelu"),
        new TextConfig(30524, 48, 48, 96, 2, 4, 64, 1e-12, "gelu", 30522, 0, 2, 102), 32, 32, 2.6592, null));
    // BLIP-base pre-trains at 224 px
    configs.put("base", new BlipConfig(VisionConfig.base(224).withEps(1e-6), TextConfig.base(768), 512, 256, 2.6592, null));
    int len = 30;
    for (Map.Entry<String, BlipConfig> e : configs.entrySet()) {
      BlipConfig cfg = e.getValue();
      int s = cfg.vision().imageSize();
      String key = "train_" + e.getKey() + "_b" + batch;
      err.println("building BLIP-" + e.getKey() + " pre-training model (random init)...");
      try (NDManager root = NDManager.newBaseManager();
          BlipPretrainModel model = new BlipPretrainModel(cfg, batch * 8, root);
          Pretraining training = new Pretraining(init(model), root, 0.05f, 0.995f, 0f)) {
        training.initMomentum();
        Random r = new Random(3);
        float[] px = new float[batch * 3 * s * s];
        for (int i = 0; i < px.length; i++) {
          px[i] = (float) r.nextGaussian();
        }
        long[] ids = new long[batch * len];
        long[] mask = new long[batch * len];
        for (int i = 0; i < ids.length; i++) {
          int pos = i % len;
          ids[i] = pos == 0 ? 101 : pos == len - 1 ? 102 : 1000 + r.nextInt(28000);
          mask[i] = 1;
        }
        SplittableRandom rnd = new SplittableRandom(1);
        double[] rates = new double[runs];
        for (int i = -warmup; i < runs; i++) {
          try (NDManager m = root.newSubManager()) {
            long t0 = System.nanoTime();
            training.step(m.create(px, new Shape(batch, 3, s, s)), m.create(ids, new Shape(batch, len)), m.create(mask, new Shape(batch, len)), 0.4f, 1e-4f, rnd);
            double sec = (System.nanoTime() - t0) / 1e9;
            if (i >= 0) {
              rates[i] = batch / sec;
            }
            err.printf("  %-18s %s %.3f s (%.2f samples/s)%n", key, i < 0 ? "warm-up" : "run " + (i + 1), sec, batch / sec);
            err.flush();
          }
        }
        Arrays.sort(rates);
        out.put(key, runs % 2 == 1 ? rates[runs / 2] : (rates[runs / 2 - 1] + rates[runs / 2]) / 2);
      }
    }
    return out;
  }

  private static BlipPretrainModel init(BlipPretrainModel model) {
    model.parameters().initializeMissing(1, 0.02f);
    model.temperature().set(model.parameters().manager().create(0.07f));
    return model;
  }
}
