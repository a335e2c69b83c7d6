package org.blip4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.blip4j.checkpoint.ModelDirectory;
import org.blip4j.data.BadReason;
import org.blip4j.data.BadSampleCounter;
import org.blip4j.eval.NlvrEvaluation;
import org.blip4j.model.BlipConfig;
import org.blip4j.model.TextConfig;
import org.blip4j.task.NlvrClassifier;
import org.blip4j.vision.VisionConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NLVR fine-tuning end to end through {@link FinetuneJob} (annotation JSON → pair loader → objective
 * → saved BlipForNlvr2 → {@link NlvrClassifier} / {@link NlvrEvaluation}) on a separable synthetic
 * task: solid red, green or blue images and the statement "both images are red", true iff both images
 * are red (half the pairs; the false ones are the other eight colour pairs, four of them with one red
 * image, so both images must be looked at). A tiny random BlipForPretraining fine-tuned for 64 steps
 * judges held-out pairs clearly above chance; the same run with learning rate 0 stays at chance. A training record whose second image is missing is skipped and
 * counted.
 */
class NlvrFinetuningTest {
  static final String[] COLORS = {"red", "green", "blue"};
  static final int[][] RGB = {{220, 30, 30}, {30, 200, 40}, {30, 40, 220}};

  static final int EPOCHS = 8;

  @TempDir static Path dir;
  static Path init;

  @BeforeAll
  static void world() throws IOException {
    for (int c = 0; c < COLORS.length; c++) {
      BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          img.setRGB(x, y, (RGB[c][0] << 16) | (RGB[c][1] << 8) | RGB[c][2]);
        }
      }
      ImageIO.write(img, "png", dir.resolve(COLORS[c] + ".png").toFile());
    }
    Files.writeString(dir.resolve("train.json"), annotations(64, 1, true));
    Files.writeString(dir.resolve("test.json"), annotations(64, 2, false));
    BlipConfig cfg = new BlipConfig(new VisionConfig(32, 64, 2, 2, 32, 8, 1e-6, "gelu"),
        new TextConfig(30524, 32, 32, 64, 2, 2, 16, 1e-12, "gelu", 30522, 0, 2, 102), 16, 16, 2.6592, null);
    init = dir.resolve("init");
    try (NDManager root = NDManager.newBaseManager(); var model = PretrainJob.randomModel(cfg, 8, 1, root)) {
      ModelDirectory.save(model, init);
    }
  }

  /** {@code n} pairs, half true; with {@code bad}, one more record whose second image does not exist. */
  static String annotations(int n, long seed, boolean bad) {
    SplittableRandom r = new SplittableRandom(seed);
    List<String> recs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String named = "red";
      boolean label = i % 2 == 0;
      String a;
      String b;
      do {
        a = label ? named : COLORS[r.nextInt(3)];
        b = label ? named : COLORS[r.nextInt(3)];
      } while (!label && a.equals(named) && b.equals(named));
      recs.add("{\"images\": [\"%s.png\", \"%s.png\"], \"sentence\": \"Both images are %s.\", \"label\": \"%s\"}".formatted(a, b, named, label ? "True" : "False"));
    }
    if (bad) {
      recs.add("{\"images\": [\"red.png\", \"missing.png\"], \"sentence\": \"both images are red\", \"label\": \"True\"}");
    }
    return "[\n" + String.join(",\n", recs) + "\n]\n";
  }

  /** Fine-tunes at {@code lr} into {@code out}; returns the held-out accuracy in percent. */
  static double fineTuneAndEvaluate(String name, float lr, BadSampleCounter bad) throws IOException {
    Path config = dir.resolve(name + ".json");
    Files.writeString(config, """
        {
          "init": "init", "image_size": 32,
          "datasets": [{"path": "train.json"}],
          "batch_size": 8, "epochs": EPOCHS,
          "lr": {"schedule": "cosine", "init_lr": %s, "min_lr": %s, "warmup_lr": 0, "warmup_steps": 0, "decay_rate": 1},
          "min_crop_scale": 0.5, "rand_augment": false, "dropout": 0, "max_grad_norm": 5,
          "seed": 3, "log_every": 8, "keep_last": 1
        }
        """.replace("EPOCHS", String.valueOf(EPOCHS)).formatted(lr, lr / 100));
    Path out = dir.resolve(name);
    long steps = FinetuneJob.run("nlvr", PretrainConfig.read(config), dir, out, false, bad, null, null);
    assertThat(steps).isEqualTo(EPOCHS * 8L);
    try (NlvrClassifier nlvr = NlvrClassifier.load(out.resolve("model"))) {
      NlvrEvaluation.Result result = NlvrEvaluation.evaluate(nlvr, dir.resolve("test.json"), dir, 16, org.blip4j.eval.EvalProgress.none());
      assertThat(result.n()).isEqualTo(64);
      return result.metrics().get("accuracy");
    }
  }

  @Test
  void learnsASeparableTaskAndStaysAtChanceWithLearningRateZero() throws IOException {
    long t0 = System.nanoTime();
    BadSampleCounter bad = new BadSampleCounter();
    double trained = fineTuneAndEvaluate("trained", 2e-3f, bad);
    long t1 = System.nanoTime();
    double frozen = fineTuneAndEvaluate("lr0", 0f, new BadSampleCounter());
    System.out.printf("NLVR fine-tuning: held-out accuracy %.1f %% (lr 2e-3, %.1f s), %.1f %% (lr 0, %.1f s)%n", trained, (t1 - t0) / 1e9, frozen,
        (System.nanoTime() - t1) / 1e9);
    assertThat(trained).as("accuracy after fine-tuning").isGreaterThanOrEqualTo(90.0);
    assertThat(frozen).as("accuracy with learning rate 0").isBetween(35.0, 65.0);
    assertThat(bad.count(BadReason.MISSING_IMAGE)).as(bad.summary()).isPositive();
    assertThat(bad.samples()).anyMatch(s -> s.detail().contains("missing.png"));
  }
}
