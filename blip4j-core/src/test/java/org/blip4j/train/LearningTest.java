package org.blip4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.blip4j.data.ImageRef;
import org.blip4j.data.Sample;
import org.blip4j.data.loader.DataLoader;
import org.blip4j.data.transform.TrainTransform;
import org.blip4j.model.BlipConfig;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.Similarity;
import org.blip4j.model.TextConfig;
import org.blip4j.text.BatchEncoding;
import org.blip4j.text.BertTokenizer;
import org.blip4j.text.Padding;
import org.blip4j.vision.VisionConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny BLIP (ViT with 8-px patches on 32-px images) pre-trained through the {@link Trainer} for
 * 600 steps (10 epochs, cosine lr from 1e-3) on 16 synthetic image-caption pairs (8 colours × a
 * filled square or a cross, "a red square" / "a red cross"): ITC and LM halve, ITM falls clearly and ITC retrieval finds the right caption for ≥ 90 % of the images and the right
 * image for ≥ 90 % of the captions. The same run with the ITC loss switched off fails those checks —
 * the test is not blind to a broken objective.
 *
 * <p>The loader is not shuffled: the two batches of 8 alternate, so the queue (one batch long) always
 * holds the other half of the pairs. With only 16 distinct pairs, shuffled batches would put copies of
 * a batch's own positives into the queue as negatives.
 */
class LearningTest {
  static final String[] COLORS = {"red", "green", "blue", "yellow", "purple", "orange", "cyan", "white"};
  static final float[][] RGB = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 0}, {0.6f, 0, 0.8f}, {1, 0.5f, 0}, {0, 1, 1}, {1, 1, 1}};
  static final int N = 16;
  static final int STEPS = 600;
  static final int EPOCHS = 10;

  @TempDir Path dir;

  /** Image i: colour i/2 on a black 32×32 canvas, a filled 24×24 square (i even) or a cross of 8-wide bars (i odd); ±1 range. */
  static float[] image(int i) {
    float[] px = new float[3 * 32 * 32];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          boolean inSquare = x >= 4 && x < 28 && y >= 4 && y < 28;
          boolean inCross = inSquare && ((x >= 12 && x < 20) || (y >= 12 && y < 20));
          boolean on = i % 2 == 0 ? inSquare : inCross;
          px[c * 1024 + y * 32 + x] = on ? RGB[i / 2][c] * 2 - 1 : -1f;
        }
      }
    }
    return px;
  }

  static String caption(int i) {
    return "a " + COLORS[i / 2] + (i % 2 == 0 ? " square" : " cross");
  }

  /** What a run reached: mean losses over its first and last 20 steps, R@1 hits both ways. */
  record Outcome(double[] first, double[] last, int imageToText, int textToImage) {
    /** The checks that fail (empty: the run learnt). */
    List<String> failures() {
      List<String> f = new ArrayList<>();
      if (!(last[0] < 0.5 * first[0])) {
        f.add("ITC did not halve");
      }
      if (!(last[1] < 0.8 * first[1])) {
        f.add("ITM did not fall by 20 %");
      }
      if (!(last[2] < 0.5 * first[2])) {
        f.add("LM did not halve");
      }
      if (imageToText < 0.9 * N) {
        f.add("image->text R@1 " + imageToText + "/" + N + " < 0.9");
      }
      if (textToImage < 0.9 * N) {
        f.add("text->image R@1 " + textToImage + "/" + N + " < 0.9");
      }
      return f;
    }
  }

  Outcome train(float itcWeight) {
    BertTokenizer tok = BertTokenizer.bertBaseUncased();
    List<Sample> samples = new ArrayList<>(); // an epoch = the 16 pairs repeated, 60 steps
    for (int k = 0; k < STEPS / 2 / EPOCHS; k++) {
      for (int i = 0; i < N; i++) {
        samples.add(new Sample("pair" + i + "#" + k, new ImageRef.Bytes("pair" + i, new byte[0], "synthetic"), List.of(caption(i)), Map.of("i", i)));
      }
    }
    BlipConfig cfg = new BlipConfig(new VisionConfig(32, 64, 2, 2, 32, 8, 1e-6, "gelu"),
        new TextConfig(30524, 32, 32, 64, 2, 2, 16, 1e-12, "gelu", 30522, 0, 2, 102), 16, 16, 2.6592, null);
    List<double[]> losses = new ArrayList<>();
    try (NDManager root = NDManager.newBaseManager();
        DataLoader<TrainTransform.Output> loader = DataLoader.<TrainTransform.Output>builder(samples,
            (s, rng) -> new TrainTransform.Output(image((Integer) s.meta().get("i")), s.caption()))
            .batchSize(8).shuffle(false).epochs(EPOCHS).threads(1).build();
        BlipPretrainModel model = PretrainJob.randomModel(cfg, 8, 1, root)) {
      // momentum 0.95 instead of BLIP's 0.995: over a few hundred steps a 0.995-average lags so far
      // behind that its soft targets hold the ITC loss near chance
      Pretraining.Options opts = new Pretraining.Options(0.05f, 0.95f, 5f, 0.4f, 2, 12, null, null, 0f, null).withLossWeights(itcWeight, 1, 1);
      try (Pretraining objective = new Pretraining(model, root, opts, tok)) {
        LearningRate cosine = new LearningRate("cosine", 1e-3f, 1e-5f, 1e-6f, 20, 1f, EPOCHS);
        Trainer trainer = new Trainer(new Trainer.Options(dir.resolve("run" + itcWeight), EPOCHS, 0, cosine, 5, 50, 0, 1, "learning test"));
        trainer.listener(new TrainingListener() {
          @Override
          public void stepped(StepRecord r) {
            losses.add(new double[] {r.losses().get("itc"), r.losses().get("itm"), r.losses().get("lm")});
          }
        });
        assertThat(trainer.run(loader, objective, false)).isEqualTo(STEPS);
      }
      double[] first = mean(losses, 0, 20);
      double[] last = mean(losses, STEPS - 20, STEPS);
      List<String> captions = new ArrayList<>();
      float[] px = new float[N * 3072];
      for (int i = 0; i < N; i++) {
        captions.add(caption(i));
        System.arraycopy(image(i), 0, px, i * 3072, 3072);
      }
      BatchEncoding enc = tok.encodeBatch(captions, Padding.LONGEST, true, 12);
      int len = enc.sequenceLength();
      try (NDManager m = root.newSubManager()) {
        NDArray imageFeat = model.imageFeatures(model.imageEmbeds(m.create(px, new Shape(N, 3, 32, 32))));
        NDArray textFeat = model.textFeatures(m.create(enc.flatInputIds(), new Shape(N, len)), m.create(enc.flatAttentionMask(), new Shape(N, len)));
        NDArray sim = Similarity.cosine(imageFeat, textFeat);
        Outcome o = new Outcome(first, last, hits(sim.argMax(1).toLongArray()), hits(sim.transpose().argMax(1).toLongArray()));
        System.out.printf("ITC weight %.0f: ITC %.3f -> %.3f, ITM %.3f -> %.3f, LM %.3f -> %.3f, R@1 i2t %d/%d t2i %d/%d%n", itcWeight, first[0], last[0],
            first[1], last[1], first[2], last[2], o.imageToText(), N, o.textToImage(), N);
        return o;
      }
    }
  }

  static int hits(long[] best) {
    int h = 0;
    for (int i = 0; i < best.length; i++) {
      h += best[i] == i ? 1 : 0;
    }
    return h;
  }

  static double[] mean(List<double[]> rows, int from, int to) {
    double[] out = new double[3];
    for (int i = from; i < to; i++) {
      for (int k = 0; k < 3; k++) {
        out[k] += rows.get(i)[k] / (to - from);
      }
    }
    return out;
  }

  @Test
  void allThreeLossesFallAndItcRetrievalLearnsThePairs() {
    assertThat(train(1f).failures()).isEmpty();
  }

  @Test
  void withItcSwitchedOffTheChecksFail() {
    List<String> failures = train(0f).failures();
    assertThat(failures).anyMatch(f -> f.startsWith("ITC")).anyMatch(f -> f.contains("R@1"));
  }
}
