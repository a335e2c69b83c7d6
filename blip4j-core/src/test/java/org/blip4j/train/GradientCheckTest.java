package org.blip4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.blip4j.model.BlipConfig;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.TextConfig;
import org.blip4j.nn.Parameter;
import org.blip4j.vision.VisionConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Analytic gradients of ITC, ITM and LM (autograd through the whole tiny model, float64) against
 * central finite differences, for sampled elements of every module kind; relative error < 1e-3.
 */
class GradientCheckTest {
  static NDManager manager;
  static BlipPretrainModel model;
  static NDArray pixels;
  static NDArray ids;
  static NDArray mask;

  @BeforeAll
  static void build() {
    manager = NDManager.newBaseManager();
    BlipConfig cfg = new BlipConfig(new VisionConfig(16, 32, 1, 2, 32, 16, 1e-6, "gelu"),
        new TextConfig(30524, 16, 16, 32, 1, 2, 16, 1e-12, "gelu", 30522, 0, 2, 102), 8, 8, 2.6592, null);
    model = new BlipPretrainModel(cfg, 4, manager);
    model.parameters().initializeMissing(7, 0.3f);
    Random r = new Random(3);
    for (Parameter p : model.parameters().distinct().keySet()) {
      double[] v = new double[Math.toIntExact(p.shape().size())];
      float[] f = p.array().toFloatArray();
      for (int i = 0; i < v.length; i++) {
        v[i] = f[i] + (p.name().contains("LayerNorm") || p.name().contains("layer_norm") || p.name().contains("post_layernorm") ? 0.1 * r.nextGaussian() : 0);
      }
      if (p.name().equals("temp")) {
        v[0] = 0.2;
      }
      p.set(model.parameters().manager().create(v, p.shape()));
    }
    pixels = manager.randomNormal(0, 1, new Shape(3, 3, 32, 32), DataType.FLOAT64);
    ids = manager.create(new long[] {101, 2000, 2100, 2200, 102, 0, 101, 2300, 2400, 102, 0, 0, 101, 2500, 2000, 2600, 2700, 102}, new Shape(3, 6));
    mask = manager.create(new long[] {1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1}, new Shape(3, 6));
  }

  @AfterAll
  static void close() {
    model.close();
    manager.close();
  }

  static NDArray withFirst(NDArray x, long token) {
    long[] v = x.toLongArray();
    for (int i = 0; i < v.length; i += 6) {
      v[i] = token;
    }
    return manager.create(v, x.getShape());
  }

  static NDArray itcLoss(NDManager m) {
    return itcLoss(0.4f);
  }

  static NDArray itcLoss(float alpha) {
    NDArray embeds = model.imageEmbeds(pixels);
    NDArray[] mom = model.imageMomentum(pixels);
    return ITC.compute(model, model.imageFeatures(embeds), model.textFeatures(ids, mask), mom[1].stopGradient(),
        model.textFeaturesMomentum(ids, mask).stopGradient(), alpha).loss();
  }

  static final ITM.Negatives NEGATIVES = new ITM.Negatives(new long[] {2, 0, 1}, new long[] {1, 2, 0});

  static NDArray itmLoss(NDManager m) {
    return ITM.loss(model, withFirst(ids, 30523), mask, model.imageEmbeds(pixels), NEGATIVES);
  }

  static NDArray lmLoss(NDManager m) {
    return LM.loss(model, withFirst(ids, 30522), mask, model.imageEmbeds(pixels));
  }

  /** Relative error of sampled elements of each named parameter; returns the number of checked elements. */
  static int check(Function<NDManager, NDArray> loss, List<String> names) {
    List<Parameter> params = new ArrayList<>(model.parameters().distinct().keySet());
    double[][] analytic = new double[names.size()][];
    try (NDManager m = manager.newSubManager()) {
      for (Parameter p : params) {
        p.set(p.array().duplicate()); // a fresh array: no gradient left from an earlier backward
        p.array().setRequiresGradient(true);
      }
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray l = loss.apply(m);
        gc.backward(l);
      }
      for (int i = 0; i < names.size(); i++) {
        try (NDArray g = model.parameters().get(names.get(i)).array().getGradient()) {
          analytic[i] = g.toDoubleArray();
        }
      }
      for (Parameter p : params) {
        p.array().setRequiresGradient(false);
      }
    }
    SplittableRandom rnd = new SplittableRandom(11);
    int checked = 0;
    for (int i = 0; i < names.size(); i++) {
      Parameter p = model.parameters().get(names.get(i));
      double[] base = p.array().toDoubleArray();
      // the 3 largest-gradient elements plus 2 random ones
      List<Integer> picks = new ArrayList<>();
      for (int k = 0; k < Math.min(3, base.length); k++) {
        int best = -1;
        for (int j = 0; j < base.length; j++) {
          if (!picks.contains(j) && (best < 0 || Math.abs(analytic[i][j]) > Math.abs(analytic[i][best]))) {
            best = j;
          }
        }
        picks.add(best);
      }
      picks.add(rnd.nextInt(base.length));
      picks.add(rnd.nextInt(base.length));
      for (int j : picks) {
        double eps = 1e-6;
        double[] plus = base.clone();
        plus[j] += eps;
        double[] minus = base.clone();
        minus[j] -= eps;
        double lp = evaluate(loss, p, plus);
        double lm = evaluate(loss, p, minus);
        double numeric = (lp - lm) / (2 * eps);
        double a = analytic[i][j];
        double err = Math.abs(a - numeric) / Math.max(Math.max(Math.abs(a), Math.abs(numeric)), 1e-6);
        assertThat(err).as("%s[%d]: analytic %s vs numeric %s", names.get(i), j, a, numeric).isLessThan(1e-3);
        checked++;
      }
      p.set(model.parameters().manager().create(base, p.shape()));
    }
    return checked;
  }

  static double evaluate(Function<NDManager, NDArray> loss, Parameter p, double[] value) {
    p.set(model.parameters().manager().create(value, p.shape()));
    try (NDManager m = manager.newSubManager()) {
      return loss.apply(m).toDoubleArray()[0];
    }
  }

  static final List<String> VISION = List.of(
      "vision_model.embeddings.patch_embedding.weight", "vision_model.embeddings.class_embedding", "vision_model.embeddings.position_embedding",
      "vision_model.encoder.layers.0.layer_norm1.weight", "vision_model.encoder.layers.0.self_attn.qkv.weight",
      "vision_model.encoder.layers.0.self_attn.projection.bias", "vision_model.encoder.layers.0.mlp.fc1.weight",
      "vision_model.post_layernorm.bias");

  static final List<String> TEXT = List.of(
      "text_encoder.embeddings.word_embeddings.weight", "text_encoder.embeddings.position_embeddings.weight",
      "text_encoder.embeddings.LayerNorm.weight", "text_encoder.encoder.layer.0.attention.self.query.weight",
      "text_encoder.encoder.layer.0.attention.output.dense.weight", "text_encoder.encoder.layer.0.intermediate.dense.weight",
      "text_encoder.encoder.layer.0.output.LayerNorm.bias");

  @Test
  void itcGradientsMatchFiniteDifferences() {
    List<String> names = new ArrayList<>(VISION);
    names.addAll(TEXT);
    names.addAll(List.of("vision_proj.weight", "text_proj.bias"));
    assertThat(check(GradientCheckTest::itcLoss, names)).isGreaterThan(80);
    // the temperature also shapes the soft targets, which (as in BLIP) carry no gradient: check it
    // where the targets do not depend on it (alpha = 0, one-hot targets)
    assertThat(check(m -> itcLoss(0f), List.of("temp"))).isEqualTo(3);
  }

  @Test
  void itmGradientsMatchFiniteDifferences() {
    List<String> names = new ArrayList<>(VISION);
    names.addAll(TEXT);
    names.addAll(List.of("text_encoder.encoder.layer.0.crossattention.self.key.weight", "text_encoder.encoder.layer.0.crossattention.output.LayerNorm.weight",
        "itm_head.weight"));
    assertThat(check(GradientCheckTest::itmLoss, names)).isGreaterThan(80);
  }

  @Test
  void lmGradientsMatchFiniteDifferencesThroughTheSharedDecoder() {
    List<String> names = new ArrayList<>(List.of("vision_model.encoder.layers.0.self_attn.qkv.weight",
        "text_decoder.bert.encoder.layer.0.attention.self.value.weight", // decoder's own self-attention
        "text_encoder.encoder.layer.0.crossattention.self.value.weight", // shared with the encoder
        "text_encoder.encoder.layer.0.intermediate.dense.bias",
        "text_encoder.embeddings.word_embeddings.weight", // also the LM head weight
        "text_decoder.cls.predictions.transform.dense.weight", "text_decoder.cls.predictions.transform.LayerNorm.weight",
        "text_decoder.cls.predictions.bias"));
    assertThat(check(GradientCheckTest::lmLoss, names)).isGreaterThan(35);
  }
}
