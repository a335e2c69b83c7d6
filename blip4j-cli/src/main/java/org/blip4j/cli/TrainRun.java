package org.blip4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import org.blip4j.Blip4j;
import org.blip4j.data.BadSampleCounter;
import org.blip4j.train.PretrainConfig;
import org.blip4j.train.TrainingListener;
import picocli.CommandLine.Option;

/** The options and the run of {@code blip pretrain} and {@code blip finetune}: config, run directory, resume, progress, summary. */
final class TrainRun {
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

  /** A training job given its config, config directory, bad-sample counter and progress listener; returns the steps finished. */
  @FunctionalInterface
  interface Job {
    long run(PretrainConfig config, Path configDir, BadSampleCounter bad, TrainingListener listener) throws Exception;
  }

  /** Reads the config, runs {@code job} with a progress bar on {@code err}, prints the summary; the exit code. */
  int execute(String verb, Job job, PrintWriter o, PrintWriter err) {
    try {
      PretrainConfig c = PretrainConfig.read(config);
      if (maxSteps != null) {
        c = c.withMaxSteps(maxSteps);
      }
      Blip4j.init();
      BadSampleCounter bad = new BadSampleCounter();
      TrainingProgress listener = new TrainingProgress(err);
      long done = job.run(c, config.toAbsolutePath().getParent(), bad, listener);
      listener.finish();
      o.printf(Locale.ROOT, "%s %d steps; metrics %s, plot %s, model %s%n", verb, done, out.resolve("metrics.jsonl"), out.resolve("loss.png"),
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
