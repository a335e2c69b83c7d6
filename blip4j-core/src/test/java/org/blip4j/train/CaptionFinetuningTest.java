package org.blip4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.blip4j.checkpoint.ModelDirectory;
import org.blip4j.data.transform.TrainTransform;
import org.blip4j.generate.GenerationConfig;
import org.blip4j.image.RgbImage;
import org.blip4j.task.Captioner;
import org.blip4j.testing.Fixtures;
import org.blip4j.text.BatchEncoding;
import org.blip4j.text.BertTokenizer;
import org.blip4j.text.Padding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Captioning fine-tuning: the prompt's tokens and padding carry no loss, and the fixture captioner
 * (random weights) fine-tuned on four coloured images learns to caption each of them with its own
 * caption — checked through the saved HF directory loaded by {@link Captioner} — training its LM head
 * and word embeddings as one parameter.
 */
class CaptionFinetuningTest {
  static final String[] CAPTIONS = {"a red square", "a green circle", "a blue star", "a white cross"};
  static final int[][] RGB = {{230, 20, 20}, {20, 200, 40}, {30, 40, 220}, {240, 240, 240}};

  @TempDir Path dir;

  static RgbImage solid(int[] rgb) {
    byte[] px = new byte[64 * 64 * 3];
    for (int i = 0; i < 64 * 64; i++) {
      for (int c = 0; c < 3; c++) {
        px[i * 3 + c] = (byte) rgb[c];
      }
    }
    return new RgbImage(64, 64, px);
  }

  @Test
  void promptAndPaddingCarryNoLoss() throws Exception {
    try (Captioner captioner = Captioner.load(Fixtures.fixture("caption"));
        CaptionFinetuning ft = new CaptionFinetuning(captioner.model(), captioner.model().parameters().manager(),
            new CaptionFinetuning.Options(0.05f, 0f, CaptionFinetuning.PROMPT, 40, 0f, null), BertTokenizer.bertBaseUncased())) {
      // "a picture of " → [CLS] a picture of [SEP]: 5 ids, so [DEC] a picture of = 4 positions without loss
      assertThat(ft.promptLength()).isEqualTo(4);
      BatchEncoding enc = ft.encode(List.of("A red square.", "two blue stars to the left of a white cross"));
      assertThat(enc.inputIds()[0]).startsWith(30522, 1037, 3861, 1997, 1037, 2417, 2675, 102);
      long[] labels = ft.labels(enc);
      int len = enc.sequenceLength();
      assertThat(java.util.Arrays.copyOfRange(labels, 0, 8)).containsExactly(-100, -100, -100, -100, 1037, 2417, 2675, 102);
      for (int i = 8; i < len; i++) {
        assertThat(labels[i]).as("padding of row 0 at %d", i).isEqualTo(-100);
      }
      assertThat(labels[len + 4]).isEqualTo(enc.inputIds()[1][4]);
    }
  }

  @Test
  void fineTunedCaptionerCaptionsItsTrainingImages() throws Exception {
    Path saved = dir.resolve("model");
    List<RgbImage> images = new ArrayList<>();
    try (Captioner captioner = Captioner.load(Fixtures.fixture("caption"))) {
      List<TrainTransform.Output> items = new ArrayList<>();
      for (int i = 0; i < CAPTIONS.length; i++) {
        images.add(solid(RGB[i]));
        items.add(new TrainTransform.Output(captioner.preprocessor().pixelValues(images.get(i)), CAPTIONS[i]));
      }
      double first;
      double last = 0;
      try (CaptionFinetuning ft = new CaptionFinetuning(captioner.model(), captioner.model().parameters().manager().getParentManager(),
          new CaptionFinetuning.Options(0.05f, 1f, CaptionFinetuning.PROMPT, 40, 0f, null), BertTokenizer.bertBaseUncased())) {
        first = ft.step(items, new StepContext(0, 0, 0, 1, 1e-3f, new SplittableRandom(1))).losses().get("loss");
        for (int s = 1; s < 80; s++) {
          last = ft.step(items, new StepContext(s, s, 0, 1, 1e-3f, new SplittableRandom(s))).losses().get("loss");
        }
      }
      System.out.printf("caption fine-tuning LM loss %.3f -> %.3f%n", first, last);
      assertThat(last).isLessThan(0.5 * first);
      ModelDirectory.save(captioner.model(), saved);
    }
    // the LM head and the word embeddings trained as one parameter (salesforce/BLIP ties them)
    try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
      org.blip4j.checkpoint.SafeTensors file = org.blip4j.checkpoint.SafeTensors.open(saved.resolve("model.safetensors"));
      assertThat(file.toNDArray(m, "text_decoder.cls.predictions.decoder.weight")
          .contentEquals(file.toNDArray(m, "text_decoder.bert.embeddings.word_embeddings.weight"))).isTrue();
    }
    try (Captioner tuned = Captioner.load(saved)) {
      List<List<Captioner.Caption>> out = tuned.captionDecoded(images, Captioner.Options.defaults().withGeneration(GenerationConfig.greedy(20)));
      for (int i = 0; i < CAPTIONS.length; i++) {
        assertThat(out.get(i).get(0).text()).as("caption of image %d", i).isEqualTo(CAPTIONS[i]);
      }
    }
  }
}
