package org.blip4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.blip4j.checkpoint.CheckpointException;
import org.blip4j.data.ImageRef;
import org.blip4j.data.Sample;
import org.blip4j.data.loader.DataLoader;
import org.blip4j.data.transform.TrainTransform;
import org.blip4j.model.BlipConfig;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.TextConfig;
import org.blip4j.text.BertTokenizer;
import org.blip4j.vision.VisionConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training loop's bookkeeping: checkpoints (atomic, pruned, restored in place), metrics that
 * survive a resume without duplicates, and a run stopped after some steps and resumed that ends
 * bit-identical to an uninterrupted one, dropout included (in-process; the SIGKILL version is the
 * CLI's crash test).
 */
class TrainerTest {
  static final BlipConfig MICRO = new BlipConfig(new VisionConfig(16, 32, 1, 2, 32, 16, 1e-6, "gelu"),
      new TextConfig(30524, 16, 16, 32, 1, 2, 16, 1e-12, "gelu", 30522, 0, 2, 102), 8, 8, 2.6592, null);
  static final String[] WORDS = {"red", "green", "blue", "white", "square", "circle", "star", "cross"};

  @TempDir Path dir;

  static List<Sample> samples(int n) {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Sample("s" + i, new ImageRef.Bytes("s" + i, new byte[0], "synthetic"), List.of("a " + WORDS[i % 4] + " " + WORDS[4 + i / 4 % 4]),
          Map.of("i", i)));
    }
    return out;
  }

  static DataLoader<TrainTransform.Output> loader(int epochs) {
    return DataLoader.<TrainTransform.Output>builder(samples(12), (s, rng) -> {
      float[] px = new float[3 * 32 * 32];
      for (int k = 0; k < px.length; k++) {
        px[k] = (float) rng.nextGaussian(); // augmentation-like randomness from (seed, epoch, sample)
      }
      return new TrainTransform.Output(px, s.caption());
    }).batchSize(4).seed(3).shuffle(true).epochs(epochs).threads(2).build();
  }

  Trainer.Options options(Path out, long maxSteps) {
    return new Trainer.Options(out, 3, maxSteps, new LearningRate("cosine", 1e-3f, 1e-5f, 1e-6f, 3, 0.9f, 3), 11, 1, 4, 2, "test");
  }

  /** Trains in {@code out} (resuming if asked) and returns the final checkpoint's model bytes. */
  byte[] train(Path out, long maxSteps, boolean resume) throws IOException {
    try (NDManager root = NDManager.newBaseManager();
        DataLoader<TrainTransform.Output> loader = loader(3);
        BlipPretrainModel model = PretrainJob.randomModel(MICRO, 8, 1, root);
        Pretraining objective = new Pretraining(model, root, new Pretraining.Options(0.05f, 0.9f, 1f, 0.4f, 2, 12, null, null, 0.1f, null),
            BertTokenizer.bertBaseUncased())) {
      Trainer trainer = new Trainer(options(out, maxSteps));
      trainer.run(loader, objective, resume);
      return Files.readAllBytes(trainer.checkpoints().latest().orElseThrow().resolve("model.safetensors"));
    }
  }

  @Test
  void stoppedAndResumedRunEndsBitIdenticalWithEveryStepLoggedOnce() throws IOException {
    byte[] straight = train(dir.resolve("straight"), 0, false);
    Path split = dir.resolve("split");
    train(split, 5, false); // stops after step 5: the newest checkpoint is step 5 (the end), step 4 before it
    // simulate a crash after the step-4 checkpoint: drop the step-5 one and leave a half-written temp
    Checkpoints.deleteTree(split.resolve("checkpoints/step-00000005"));
    Files.createDirectories(split.resolve("checkpoints/.step-00000006.tmp"));
    byte[] resumed = train(split, 0, true);
    assertThat(resumed).as("model after 9 steps, resumed at 4 vs uninterrupted").isEqualTo(straight);
    List<String> steps = Files.readAllLines(split.resolve("metrics.jsonl")).stream().map(l -> l.replaceAll(".*\"step\":(\\d+).*", "$1")).toList();
    assertThat(steps).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8");
    List<String> straightLines = Files.readAllLines(dir.resolve("straight/metrics.jsonl"));
    List<String> splitLines = Files.readAllLines(split.resolve("metrics.jsonl"));
    for (int i = 0; i < 9; i++) { // same losses step by step (timings differ)
      assertThat(splitLines.get(i).replaceAll(",\"seconds\".*", "")).isEqualTo(straightLines.get(i).replaceAll(",\"seconds\".*", ""));
    }
    // 3 epochs of 3 batches: checkpoints at 3 (epoch end), 4 (every 4), 6, 8, 9 — the last 2 are kept
    assertThat(new Checkpoints(split.resolve("checkpoints"), 2).list()).extracting(p -> p.getFileName().toString())
        .containsExactly("step-00000008", "step-00000009");
    assertThat(Files.exists(split.resolve("loss.png"))).isTrue();
  }

  @Test
  void aRunDirectoryWithCheckpointsIsNotOverwrittenWithoutResume() throws IOException {
    train(dir, 2, false);
    assertThatThrownBy(() -> train(dir, 2, false)).hasMessageContaining("already holds checkpoints").hasMessageContaining("--resume");
  }

  @Test
  void aCheckpointOfAnotherModelIsRefusedNamingTheTensor() throws IOException {
    train(dir, 2, false);
    Path ckpt = new Checkpoints(dir.resolve("checkpoints"), 1).latest().orElseThrow();
    BlipConfig wider = new BlipConfig(new VisionConfig(32, 32, 1, 2, 32, 16, 1e-6, "gelu"), MICRO.text(), 8, 8, 2.6592, null);
    try (NDManager root = NDManager.newBaseManager();
        BlipPretrainModel model = PretrainJob.randomModel(wider, 8, 1, root);
        Pretraining objective = new Pretraining(model, root, Pretraining.Options.blip(), BertTokenizer.bertBaseUncased())) {
      assertThatThrownBy(() -> Checkpoints.restore(ckpt, objective)).isInstanceOf(CheckpointException.class)
          .hasMessageContaining("vision_model.embeddings.class_embedding").hasMessageContaining("does not fit");
    }
    Files.writeString(ckpt.resolve("state.json"), "{\"format\": \"something else\"}");
    assertThatThrownBy(() -> Checkpoints.readState(ckpt)).hasMessageContaining("not a blip4j training checkpoint");
  }
}
