package org.blip4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.blip4j.Blip4j;
import org.blip4j.data.BadSampleCounter;
import org.blip4j.train.PretrainConfig;
import org.blip4j.train.PretrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code blip pretrain --config FILE --out DIR [--resume]}: BLIP pre-training (ITC + ITM + LM). */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Pre-train BLIP with ITC (momentum distillation, queues), ITM (hard negatives) and LM on the configured datasets.",
        "Writes DIR/metrics.jsonl, DIR/loss.png, DIR/checkpoints/step-N/ (kept: keep_last) and, at the end, DIR/model/ (HF layout).",
        "A killed run continues with --resume from its newest checkpoint; at a fixed BLIP4J_THREADS the result is bit-identical."})
public final class PretrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "Run config, .json or .yaml (e.g. configs/pretrain-tiny.json).")
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
        c = withMaxSteps(c, maxSteps);
      }
      Blip4j.init();
      BadSampleCounter bad = new BadSampleCounter();
      TrainingProgress listener = new TrainingProgress(c.batchSize(), err);
      Path configDir = config.toAbsolutePath().getParent();
      long done = PretrainJob.run(c, configDir, out, resume, bad, listener, (d, all) -> { });
      listener.finish();
      o.printf(Locale.ROOT, "pre-trained %d steps; metrics %s, plot %s, model %s%n", done, out.resolve("metrics.jsonl"), out.resolve("loss.png"),
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

  static PretrainConfig withMaxSteps(PretrainConfig c, long n) {
    return new PretrainConfig(c.model(), c.init(), c.imageSize(), c.datasets(), c.shapes(), c.batchSize(), c.epochs(), n, c.lr(), c.weightDecay(),
        c.maxGradNorm(), c.queueSize(), c.momentum(), c.alpha(), c.alphaRampEpochs(), c.maxTextLength(), c.minCropScale(), c.randAugment(), c.dropout(),
        c.freeze(), c.seed(), c.loaderThreads(), c.logEvery(), c.checkpointEvery(), c.keepLast());
  }
}
