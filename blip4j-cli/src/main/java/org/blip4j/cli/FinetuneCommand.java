package org.blip4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.blip4j.Blip4j;
import org.blip4j.data.BadSampleCounter;
import org.blip4j.train.FinetuneJob;
import org.blip4j.train.PretrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code blip finetune TASK --config FILE --out DIR [--resume]}. */
@Command(name = "finetune", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Fine-tune a BLIP model for a task from the config's 'init' checkpoint (BlipForPretraining or the task's own class).",
        "TASK: caption (LM loss after the prompt \"a picture of \"; result: BlipForConditionalGeneration) or",
        "retrieval (ITC + ITM, positives by image; needs a BlipForPretraining init; result: BlipForImageTextRetrieval).",
        "The config has the keys of 'blip pretrain' (datasets, image_size, batch_size, epochs, lr, ...). Writes DIR/metrics.jsonl,",
        "DIR/loss.png, DIR/checkpoints/ and, at the end, DIR/model/ (HF layout, loadable by 'blip caption' / 'blip itm'); --resume continues a killed run."})
public final class FinetuneCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TASK", description = "caption or retrieval")
  String task;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "Run config, .json or .yaml.")
  Path config;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory (created).")
  Path out;

  @Option(names = "--resume", description = "Continue from the newest checkpoint in DIR.")
  boolean resume;

  @Option(names = "--max-steps", paramLabel = "N", description = "Override the config's max_steps.")
  Long maxSteps;

  @Option(names = "--verbose", description = "Print stack traces on errors.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter o = spec.commandLine().getOut();
    try {
      PretrainConfig c = PretrainConfig.read(config);
      if (maxSteps != null) {
        c = PretrainCommand.withMaxSteps(c, maxSteps);
      }
      Blip4j.init();
      BadSampleCounter bad = new BadSampleCounter();
      TrainingProgress listener = new TrainingProgress(c.batchSize(), err);
      long done = FinetuneJob.run(task, c, config.toAbsolutePath().getParent(), out, resume, bad, listener, (d, all) -> { });
      listener.finish();
      o.printf(Locale.ROOT, "fine-tuned (%s) %d steps; metrics %s, plot %s, model %s%n", task, done, out.resolve("metrics.jsonl"), out.resolve("loss.png"),
          out.resolve("model"));
      if (bad.total() > 0) {
        o.println("skipped bad samples: " + bad.summary());
      }
      o.flush();
      return 0;
    } catch (Exception e) {
      return Common.report(e, err, verbose || Common.debugFromEnv());
    }
  }
}
