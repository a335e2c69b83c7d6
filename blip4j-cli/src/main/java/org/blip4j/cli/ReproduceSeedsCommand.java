package org.blip4j.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.blip4j.reproduce.SeedSpread;
import org.blip4j.train.Checkpoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code blip reproduce seeds DIR DIR... [--out FILE] [--json]}: finished reproduction runs of one profile
 * with different {@code --seed}s, summarised ({@link SeedSpread}): how far each row moves with the seed,
 * and whether C+F beats no-bootstrap in every seed.
 */
@Command(name = "seeds", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Summarise finished 'blip reproduce' runs of one profile that differ only in --seed: per row and metric the mean, standard",
        "deviation and range over the seeds, each bootstrapped row minus no-bootstrap paired by seed, the verdict per seed and across",
        "seeds (YES: C+F beats no-bootstrap on TR@1, IR@1 and CIDEr in every seed; NO: in none; MIXED), CapFilt's numbers per seed."})
public final class ReproduceSeedsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "2..*", paramLabel = "DIR", description = "Output directories of finished runs (at least two).")
  List<Path> runs;

  @Option(names = "--out", paramLabel = "FILE", description = "Also write the summary as Markdown to FILE.")
  Path out;

  @Option(names = "--json", description = "Print the summary as one JSON object on stdout instead of Markdown.")
  boolean json;

  @Option(names = {"-v", "--verbose"}, description = "Print stack traces of errors.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter o = spec.commandLine().getOut();
    try {
      SeedSpread spread = SeedSpread.of(runs);
      if (out != null) {
        Checkpoints.writeAtomically(out, spread.markdown().getBytes(StandardCharsets.UTF_8));
      }
      o.print(json ? spread.toJson() + "\n" : spread.markdown());
      o.flush();
      return 0;
    } catch (Exception e) {
      return Common.report(e, spec.commandLine().getErr(), verbose || Common.debugFromEnv());
    }
  }
}
