package org.blip4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.blip4j.Blip4j;
import org.blip4j.capfilt.CapFiltListener;
import org.blip4j.data.shapes.ShapesProgressListener;
import org.blip4j.eval.EvalProgress;
import org.blip4j.reproduce.Reproduction;
import org.blip4j.reproduce.ReproductionListener;
import org.blip4j.reproduce.ReproductionProfile;
import org.blip4j.reproduce.ReproductionReport;
import org.blip4j.train.PretrainJob;
import org.blip4j.train.TrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code blip reproduce [--scale quick|full] [--out DIR] [--json]}: the BLIP paper's CapFilt experiment
 * on the Shapes world ({@link Reproduction}), stage by stage with progress on stderr; rerunning resumes.
 * Subcommand {@code seeds}: {@link ReproduceSeedsCommand}.
 */
@Command(name = "reproduce", mixinStandardHelpOptions = true, sortOptions = false, subcommands = ReproduceSeedsCommand.class,
    description = {"Reproduce BLIP's CapFilt experiment end to end on the Shapes world: pre-train without bootstrapping, fine-tune a captioner",
        "and a filter, run CapFilt (nucleus; beam in 'full'), pre-train new models on F / C / C+F (/ C+F beam) for the same number of steps,",
        "fine-tune each for retrieval and captioning, evaluate (test, zero-shot zs_test), write OUT/report.md and OUT/report.html.",
        "Each stage is skipped when its result exists; rerun the same command to resume. quick: about 5 min, full: about 56 min on a 2-core CPU (measured 5:04 and 55:29). Stages that do not depend on each other run at once, one per libtorch thread (BLIP4J_THREADS).",
        "'blip reproduce seeds DIR DIR...' summarises runs with different --seed."})
public final class ReproduceCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Option(names = "--scale", paramLabel = "quick|full", defaultValue = "quick", description = "Profile. Default: ${DEFAULT-VALUE}.")
  String scale;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: ./reproduce-<scale>).")
  Path out;

  @Option(names = "--seed", paramLabel = "N", description = "Seed of every training stage (default: the profile's, 42); the world and CapFilt's "
      + "sampling stay fixed, so the data are the same. Run several seeds to see how much a row moves.")
  Long seed;

  @Option(names = "--model", paramLabel = "SIZE", description = "Model size of every pre-training (default: the profile's; full: midi, a ViT as wide as its text side). "
      + "mini has a ViT half as wide: weaker perception; full with it and --single-object-steps 8000 (its earlier default) took 52–55 min (measured, 2 cores).")
  String model;

  @Option(names = "--single-object-steps", paramLabel = "N", description = "Steps of the vision warm-up's first stage, on scenes of one large "
      + "object, where shape is learnt (default: the profile's; full: 12000). Longer learns shape, position and relation better, at about 1 min "
      + "per 1 000 steps on 2 cores (the warm-up's two towers). full, seed 42, with 4000 / 6000 / 8000 (and 6000 steps on all scenes): "
      + "TR@1 26.4 / 32.1 / 31.3 and CIDEr 186.2 / 201.9 / 215.6 averaged over the rows (one-thread builds). For a slower machine: "
      + "--single-object-steps 8000 --warmup-steps 6000, the default until stop 26 (53:55 measured in stop 24; its 10 000 fewer warm-up steps save about 10 min at that rate).")
  Integer singleObjectSteps;

  @Option(names = "--warmup-steps", paramLabel = "N", description = "Steps of the vision warm-up's second stage, on all scenes, after the "
      + "single-object steps (default: the profile's; full: 12000). Perception bounds every row at this scale: with 12000 + 12000 instead of "
      + "8000 + 6000 the filter's ROC AUC rose from 0.86–0.87 to 0.90 and every row's CIDEr by 19–33 (seed 42, measured); about 1 min per 1 000 steps on 2 cores.")
  Integer warmupSteps;

  @Option(names = "--json", description = "Print the summary as one JSON object on stdout.")
  boolean json;

  @Option(names = {"-v", "--verbose"}, description = "Print stack traces of errors.")
  boolean verbose;

  @Override
  public Integer call() {
    if (!ReproductionProfile.NAMES.contains(scale.toLowerCase(Locale.ROOT))) {
      throw new ParameterException(spec.commandLine(), "--scale must be quick or full, got '" + scale + "'");
    }
    ReproductionProfile profile = ReproductionProfile.of(scale);
    if (seed != null) {
      profile = profile.withSeed(seed);
    }
    if (model != null) {
      if (!PretrainJob.MODEL_SIZES.contains(model)) {
        throw new ParameterException(spec.commandLine(), "--model must be one of " + String.join(", ", PretrainJob.MODEL_SIZES) + ", got '" + model + "'");
      }
      profile = profile.withModel(model);
    }
    if (singleObjectSteps != null) {
      try {
        profile = profile.withSingleObjectSteps(singleObjectSteps);
      } catch (IllegalArgumentException e) { // the profile's own rule: >= 0, and only with a vision warm-up
        throw new ParameterException(spec.commandLine(), "--single-object-steps must be >= 0 and needs a profile with a vision warm-up, got "
            + singleObjectSteps + " for " + profile.name());
      }
    }
    if (warmupSteps != null) {
      if (warmupSteps < 1) {
        throw new ParameterException(spec.commandLine(), "--warmup-steps must be >= 1, got " + warmupSteps);
      }
      profile = profile.withWarmupSteps(warmupSteps);
    }
    Path dir = out != null ? out : Path.of("reproduce-" + profile.name());
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter o = spec.commandLine().getOut();
    try {
      Blip4j.init();
      long t0 = System.nanoTime();
      StageProgress listener = new StageProgress(err);
      ReproductionReport report = new Reproduction(profile, dir, listener).run();
      double seconds = (System.nanoTime() - t0) / 1e9;
      Path md = dir.resolve("report.md");
      if (json) {
        ObjectNode j = JSON.createObjectNode();
        j.put("scale", profile.name()).put("seed", profile.seed()).put("out", dir.toString()).put("report", md.toString()).put("html", dir.resolve("report.html").toString())
            .put("seconds", seconds).put("verdict", report.verdict());
        ObjectNode rows = j.putObject("rows");
        report.rows().forEach((m, r) -> rows.set(m, JSON.valueToTree(r)));
        o.println(j);
      } else {
        o.printf(Locale.ROOT, "reproduce (%s) finished in %s; %d stages run, %d resumed from earlier runs%n", profile.name(),
            Progress.clock(Math.round(seconds)), listener.run, listener.skipped);
        o.println(report.verdict());
        o.println("report: " + md + " (and " + dir.resolve("report.html") + ")");
      }
      o.flush();
      return 0;
    } catch (Exception e) {
      return Common.report(e, err, verbose || Common.debugFromEnv());
    }
  }

  /**
   * Stage lines and the inner progress bars on stderr, each bar named by its stage: stages that do not
   * depend on each other run at once, and on a console their bars share one line (a {@link ConsoleLine})
   * with the stage lines printed above it. The pipeline calls this one call at a time.
   */
  private static final class StageProgress implements ReproductionListener {
    private final PrintWriter err;
    private final ConsoleLine line; // null: not a console
    private final Map<String, TrainingProgress> trainings = new HashMap<>();
    private final Map<String, Progress> bars = new HashMap<>();
    int run;
    int skipped;

    StageProgress(PrintWriter err) {
      this.err = err;
      this.line = System.console() != null ? new ConsoleLine(err) : null;
    }

    private void say(String message) {
      ConsoleLine.println(line, err, message);
    }

    @Override
    public void stageStarted(String stage, String description) {
      say("== " + stage + ": " + description);
    }

    @Override
    public void stageSkipped(String stage) {
      skipped++;
      say("== " + stage + ": done earlier, skipped");
    }

    @Override
    public void stageFinished(String stage, double seconds) {
      if (!stage.equals("report")) {
        run++;
      }
      TrainingProgress training = trainings.remove(stage);
      if (training != null) {
        training.finish();
      }
      Progress bar = bars.remove(stage);
      if (bar != null) {
        bar.finish();
      }
      say("== " + stage + ": finished in " + Progress.clock(Math.round(seconds)));
    }

    @Override
    public TrainingListener training(String stage) {
      TrainingProgress training = new TrainingProgress(err, stage + " training", line);
      trainings.put(stage, training);
      return training;
    }

    @Override
    public CapFiltListener capfilt(String stage) {
      return new CapFiltListener() {
        private long since;

        @Override
        public void started(long samples, int shards, int finishedShards, long finishedSamples) {
          since = finishedSamples;
          Progress bar = new Progress(stage, "images", samples, err, line);
          bars.put(stage, bar);
          bar.update(finishedSamples, since, finishedShards > 0 ? ", resumed " + finishedShards + "/" + shards + " shards" : "");
        }

        @Override
        public void shardWritten(int shard, long samplesDone, int skippedImages) {
          bars.get(stage).update(samplesDone, since, "");
        }
      };
    }

    @Override
    public EvalProgress eval(String stage) {
      return new EvalProgress() {
        private long last;
        private String shown = "";

        @Override
        public void update(String what, long done, long total) {
          Progress bar = bars.get(stage);
          if (bar == null || !what.equals(shown)) {
            if (bar != null) {
              bar.finish();
            }
            shown = what;
            bar = new Progress(stage + " " + what, "items", total, err, line);
            bars.put(stage, bar);
          }
          long now = System.nanoTime();
          if (line != null || done == total || now - last > 2_000_000_000L) {
            last = now;
            bar.update(done);
          }
        }
      };
    }

    @Override
    public ShapesProgressListener shapes() {
      return (done, total) -> {
        if (done == total) {
          synchronized (this) {
            say("shapes: " + total + " images written");
          }
        }
      };
    }
  }
}
