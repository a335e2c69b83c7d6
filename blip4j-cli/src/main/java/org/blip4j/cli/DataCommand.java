package org.blip4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.blip4j.data.shapes.ShapesConfig;
import org.blip4j.data.shapes.ShapesGenerator;
import org.blip4j.data.shapes.ShapesSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code blip data}: datasets. {@code blip data shapes} writes the Shapes world (shared/SHAPES.md). */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Datasets: generate the Shapes world.",
    subcommands = {DataCommand.Shapes.class})
public final class DataCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand (shapes)");
  }

  /** {@code blip data shapes --out DIR}. */
  @Command(name = "shapes", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Generate the Shapes world: images, captions (human, web with noise labels, held-out zs_test), VQA, NLVR, video, dialog.",
          "Progress goes to stderr, the summary to stdout; the same seed gives byte-identical files."})
  static final class Shapes implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created).")
    Path out;

    @Option(names = "--scale", defaultValue = "1.0", description = "Multiplies the default split sizes (2 000 human_train, 20 000 web_train, ...). Default: ${DEFAULT-VALUE}")
    double scale;

    @Option(names = "--noise", defaultValue = "0.4", description = "Fraction of noisy web captions. Default: ${DEFAULT-VALUE}")
    double noise;

    @Option(names = "--image-size", defaultValue = "96", description = "Canvas side in pixels. Default: ${DEFAULT-VALUE}")
    int imageSize;

    @Option(names = "--seed", defaultValue = "0", description = "Seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--threads", description = "Worker threads (output does not depend on it). Default: all processors.")
    Integer threads;

    @Option(names = "--verbose", description = "Print stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      PrintWriter o = spec.commandLine().getOut();
      ShapesConfig config;
      try {
        config = new ShapesConfig(scale, noise, imageSize, seed, threads != null ? threads : Runtime.getRuntime().availableProcessors());
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      try {
        ShapesGenerator g = new ShapesGenerator(config);
        int total = g.totalImages();
        Progress progress = new Progress("generating", total, err);
        long[] last = {0};
        ShapesSummary s = g.generate(out, (done, all) -> {
          synchronized (last) {
            long now = System.nanoTime();
            if (done == all || now - last[0] > 250_000_000L) {
              last[0] = now;
              progress.update(done);
            }
          }
        });
        progress.finish();
        o.printf(Locale.ROOT, "wrote %d images to %s in %.1f s (%.0f images/s, %d threads)%n", s.totalImages(), out, s.seconds(),
            s.imagesPerSecond(), config.threads());
        for (Map.Entry<String, Integer> e : s.images().entrySet()) {
          o.printf(Locale.ROOT, "  %-12s %6d images %7d records%n", e.getKey(), e.getValue(), s.records().get(e.getKey()));
        }
        o.println("  web noise:   " + s.webNoise());
        o.println("  nlvr labels: " + s.nlvrLabels());
        o.println("  vqa types:   " + s.vqaTypes());
        o.println("  shards:      " + out.resolve("shards") + " (human_train, web_train)");
        o.flush();
        return 0;
      } catch (Exception e) {
        return Common.report(e, err, verbose || Common.debugFromEnv());
      }
    }
  }
}
