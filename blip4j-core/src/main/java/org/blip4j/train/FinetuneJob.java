package org.blip4j.train;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.blip4j.checkpoint.ModelDirectory;
import org.blip4j.data.BadSampleListener;
import org.blip4j.data.Sample;
import org.blip4j.data.loader.DataLoader;
import org.blip4j.data.shapes.ShapesProgressListener;
import org.blip4j.data.transform.TrainTransform;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.BlipPretrainedModel;
import org.blip4j.text.BertTokenizer;

/**
 * {@code blip finetune}: a task model fine-tuned from the config's {@code init} checkpoint (a
 * pre-trained BlipForPretraining or a model of the task's own class) on the config's datasets,
 * through the same {@link Trainer} as pre-training (metrics, checkpoints, exact resume). The result is
 * saved in HF layout under {@code <out>/model/}. Tasks: {@code caption}.
 */
public final class FinetuneJob {
  private FinetuneJob() {}

  /** The tasks that can be fine-tuned. */
  public static final List<String> TASKS = List.of("caption");

  /** Runs (or, with {@code resume}, continues) the fine-tuning; returns the steps finished. */
  public static long run(String task, PretrainConfig config, Path configDir, Path out, boolean resume, BadSampleListener bad,
      TrainingListener listener, ShapesProgressListener shapesProgress) throws IOException {
    if (!TASKS.contains(task)) {
      throw new IllegalArgumentException("unknown fine-tuning task '" + task + "' (supported: " + String.join(", ", TASKS) + ")");
    }
    if (config.init() == null) {
      throw new IllegalArgumentException("fine-tuning needs 'init': the pre-trained model directory or .pth to start from");
    }
    Files.createDirectories(out);
    List<Sample> samples = PretrainJob.samples(config, configDir, out, bad, shapesProgress);
    try (NDManager root = NDManager.newBaseManager(); DataLoader<TrainTransform.Output> loader = PretrainJob.loader(config, samples, bad)) {
      BlipPretrainedModel source = ModelDirectory.load(configDir.resolve(config.init()), root);
      BlipCaptioningModel model = TaskModels.captioning(source, root);
      if (model != source) {
        source.close();
      }
      CaptionFinetuning.Options opts = new CaptionFinetuning.Options(config.weightDecay(), config.maxGradNorm(), CaptionFinetuning.PROMPT,
          40, config.dropout(), config.freezePattern());
      try (model; CaptionFinetuning objective = new CaptionFinetuning(model, root, opts, BertTokenizer.bertBaseUncased())) {
        Trainer trainer = new Trainer(new Trainer.Options(out, config.epochs(), config.maxSteps(), config.schedule(), config.seed(),
            config.logEvery(), config.checkpointEvery(), config.keepLast(), "BLIP captioning fine-tuning (" + samples.size() + " pairs)"));
        if (listener != null) {
          trainer.listener(listener);
        }
        long steps = trainer.run(loader, objective, resume);
        objective.close(); // dropout off before saving
        ModelDirectory.save(model, out.resolve("model"));
        return steps;
      }
    }
  }
}
