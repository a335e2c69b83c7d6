package org.blip4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.blip4j.checkpoint.TaskModels;
import org.blip4j.data.ImageRef;
import org.blip4j.data.Sample;
import org.blip4j.data.loader.DataLoader;
import org.blip4j.model.BlipConfig;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.BlipRetrievalModel;
import org.blip4j.model.Similarity;
import org.blip4j.model.TextConfig;
import org.blip4j.text.BatchEncoding;
import org.blip4j.text.BertTokenizer;
import org.blip4j.text.Padding;
import org.blip4j.vision.VisionConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retrieval fine-tuning with positives by image id: 16 synthetic images with two captions each
 * ("a red square" / "a square in red"), shuffled batches in which both captions of an image and their
 * queued copies count as positives. After training, every image retrieves one of its own captions
 * and every caption its image (ITC, through the extracted BlipForImageTextRetrieval, which computes
 * exactly what the trained model does).
 */
class RetrievalFinetuningTest {
  @TempDir Path dir;

  static String caption(int i, int variant) {
    String color = LearningTest.COLORS[i / 2];
    String shape = i % 2 == 0 ? "square" : "cross";
    return variant == 0 ? "a " + color + " " + shape : "a " + shape + " in " + color;
  }

  @Test
  void imagesAndCaptionsFindEachOtherAfterFineTuning() {
    int n = LearningTest.N;
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int v = 0; v < 2; v++) {
        samples.add(new Sample("img" + i + "#" + v, new ImageRef.Bytes("img" + i, new byte[0], "synthetic"), List.of(caption(i, v)), Map.of("i", i)));
      }
    }
    BlipConfig cfg = new BlipConfig(new VisionConfig(32, 64, 2, 2, 32, 8, 1e-6, "gelu"),
        new TextConfig(30524, 32, 32, 64, 2, 2, 16, 1e-12, "gelu", 30522, 0, 2, 102), 16, 16, 2.6592, null);
    BertTokenizer tok = BertTokenizer.bertBaseUncased();
    int epochs = 150; // 4 steps per epoch; 100 steps stay at chance, 600 reach 16/16 and 32/32
    try (NDManager root = NDManager.newBaseManager();
        DataLoader<RetrievalFinetuning.Item> loader = DataLoader.<RetrievalFinetuning.Item>builder(samples, (s, rng) -> {
          int i = (Integer) s.meta().get("i");
          return new RetrievalFinetuning.Item(LearningTest.image(i), s.caption(), i);
        }).batchSize(8).seed(3).shuffle(true).epochs(epochs).threads(1).build();
        BlipPretrainModel model = PretrainJob.randomModel(cfg, 16, 1, root)) {
      try (RetrievalFinetuning objective = new RetrievalFinetuning(model, root, new RetrievalFinetuning.Options(0.05f, 0.95f, 5f, 0.4f, 12, 0f, null, null), tok)) {
        Trainer trainer = new Trainer(new Trainer.Options(dir, epochs, 0, new LearningRate("cosine", 1e-3f, 1e-5f, 1e-6f, 10, 1f, epochs), 2, 20, 0, 1,
            "retrieval fine-tuning test"));
        assertThat(trainer.run(loader, objective, false)).isEqualTo(epochs * 4L);
      }
      try (BlipRetrievalModel retrieval = TaskModels.retrieval(model, root); NDManager m = root.newSubManager()) {
        float[] px = new float[n * 3072];
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          System.arraycopy(LearningTest.image(i), 0, px, i * 3072, 3072);
          texts.add(caption(i, 0));
          texts.add(caption(i, 1));
        }
        BatchEncoding enc = tok.encodeBatch(texts, Padding.LONGEST, true, 12);
        Shape ts = new Shape(2 * n, enc.sequenceLength());
        NDArray imageFeat = retrieval.imageFeatures(retrieval.imageEmbeds(m.create(px, new Shape(n, 3, 32, 32))));
        NDArray textFeat = retrieval.textFeatures(m.create(enc.flatInputIds(), ts), m.create(enc.flatAttentionMask(), ts));
        NDArray sim = Similarity.cosine(imageFeat, textFeat);
        NDArray vehicle = Similarity.cosine(model.imageFeatures(model.imageEmbeds(m.create(px, new Shape(n, 3, 32, 32)))),
            model.textFeatures(m.create(enc.flatInputIds(), ts), m.create(enc.flatAttentionMask(), ts)));
        assertThat(sim.toFloatArray()).as("the extracted retrieval model computes what the trained model does").containsExactly(vehicle.toFloatArray());
        long[] bestText = sim.argMax(1).toLongArray();
        long[] bestImage = sim.transpose().argMax(1).toLongArray();
        int i2t = 0;
        int t2i = 0;
        for (int i = 0; i < n; i++) {
          i2t += bestText[i] / 2 == i ? 1 : 0;
        }
        for (int t = 0; t < 2 * n; t++) {
          t2i += bestImage[t] == t / 2 ? 1 : 0;
        }
        System.out.printf("retrieval fine-tuning: ITC R@1 image->text %d/%d, text->image %d/%d%n", i2t, n, t2i, 2 * n);
        assertThat(i2t).isGreaterThanOrEqualTo((int) Math.ceil(0.9 * n));
        assertThat(t2i).isGreaterThanOrEqualTo((int) Math.ceil(0.9 * 2 * n));
      }
    }
  }
}
