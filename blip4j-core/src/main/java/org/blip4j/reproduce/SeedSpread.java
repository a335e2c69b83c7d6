package org.blip4j.reproduce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.blip4j.reproduce.ReproductionReport.Row;

/**
 * {@code blip reproduce seeds}: finished {@link Reproduction} runs of ONE profile that differ only in
 * the training seed ({@code --seed}), summarised so that a difference between rows can be set against
 * how far a row moves with the seed alone. Per row and metric: mean, sample standard deviation and
 * range over the seeds; per bootstrapped row: its difference to no-bootstrap paired by seed and the
 * number of seeds in which it is better; per seed: the report's verdict; CapFilt's filter and
 * captioner numbers per seed.
 *
 * @param profile the runs' profile, with the first run's seed
 * @param runs the runs, in the order given
 */
public record SeedSpread(ReproductionProfile profile, List<Run> runs) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The row every other row is compared with. */
  public static final String BASELINE = "noboot";

  /** The row of the verdict. */
  public static final String BOOTSTRAPPED = "CF";

  /**
   * One finished run.
   *
   * @param dir its directory
   * @param seed its training seed
   * @param rows its evaluated rows ({@link Reproduction#rows()} order)
   * @param nucleus its nucleus CapFilt numbers
   * @param beam its beam CapFilt numbers ({@code null} when the profile has no beam row)
   */
  public record Run(Path dir, long seed, Map<String, Row> rows, CapFiltNumbers nucleus, CapFiltNumbers beam) {}

  /**
   * CapFilt's numbers of one run, as fractions (NaN when its report lacks one).
   *
   * @param noisyRemoved noisy web captions the filter removed
   * @param cleanKept clean web captions the filter kept
   * @param syntheticIncorrect synthetic captions the world's oracle judges false
   */
  public record CapFiltNumbers(double noisyRemoved, double cleanKept, double syntheticIncorrect) {
    static CapFiltNumbers read(Path report) throws IOException {
      if (!Files.isRegularFile(report)) {
        return new CapFiltNumbers(Double.NaN, Double.NaN, Double.NaN);
      }
      JsonNode r = JSON.readTree(report.toFile());
      JsonNode f = r.path("filter_vs_noise_labels");
      return new CapFiltNumbers(ReproductionReport.number(f.path("noisy_removed_fraction")), ReproductionReport.number(f.path("clean_kept_fraction")),
          ReproductionReport.number(r.path("synthetic_noise").path("incorrect_ratio")));
    }
  }

  /**
   * A metric of the report's tables.
   *
   * @param label its column name
   * @param key its name in {@code --json}
   * @param value how to read it off a row
   */
  public record Metric(String label, String key, ToDoubleFunction<Row> value) {}

  /**
   * The report's columns: fine-tuned retrieval on test, zero-shot on zs_test, captioning on test, and the fine-tuned retrieval on
   * test ranked by the ITC similarity alone.
   */
  public static final List<Metric> METRICS = List.of(new Metric("TR@1", "txt_r1", Row::trR1), new Metric("IR@1", "img_r1", Row::irR1),
      new Metric("TR@1 ZS", "zs_txt_r1", Row::zsTrR1), new Metric("IR@1 ZS", "zs_img_r1", Row::zsIrR1),
      new Metric("BLEU-4", "Bleu_4", Row::bleu4), new Metric("CIDEr", "CIDEr", Row::cider),
      new Metric("TR@1 ITC", "itc_txt_r1", Row::itcTrR1), new Metric("IR@1 ITC", "itc_img_r1", Row::itcIrR1));

  /**
   * Mean, sample standard deviation (n − 1) and range of values over seeds.
   *
   * @param n number of values
   * @param mean mean
   * @param sd sample standard deviation
   * @param min smallest value
   * @param max largest value
   */
  public record Stat(int n, double mean, double sd, double min, double max) {
    static Stat of(double[] v) {
      double sum = 0;
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (double x : v) {
        sum += x;
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
      double mean = sum / v.length;
      double ss = 0;
      for (double x : v) {
        ss += (x - mean) * (x - mean);
      }
      return new Stat(v.length, mean, Math.sqrt(ss / (v.length - 1)), min, max);
    }
  }

  /**
   * Reads finished runs; throws naming the directory at fault when one is not a finished
   * {@code blip reproduce} run, when two ran other settings than the seed, or when two ran the same seed.
   */
  public static SeedSpread of(List<Path> dirs) throws IOException {
    if (dirs.size() < 2) {
      throw new IllegalArgumentException("a seed spread needs at least two run directories, got " + dirs.size());
    }
    ReproductionProfile first = null;
    Path firstDir = null;
    Map<Long, Path> seeds = new HashMap<>();
    List<Run> runs = new ArrayList<>();
    for (Path dir : dirs) {
      if (!Files.isRegularFile(dir.resolve("profile.json"))) {
        throw new IllegalArgumentException(dir + ": no profile.json; not a `blip reproduce` output directory");
      }
      ReproductionProfile p;
      try {
        p = Reproduction.readProfile(dir);
      } catch (IOException e) {
        throw new IllegalArgumentException(dir.resolve("profile.json") + ": unreadable (" + e.getMessage() + ")", e);
      }
      if (first == null) {
        first = p;
        firstDir = dir;
      } else if (!p.withSeed(first.seed()).equals(first)) {
        throw new IllegalArgumentException(dir + " and " + firstDir + " ran other settings than the seed (" + differences(first, p)
            + "); a seed spread compares runs of one profile");
      }
      Path same = seeds.putIfAbsent(p.seed(), dir);
      if (same != null) {
        throw new IllegalArgumentException(dir + " and " + same + " both ran seed " + p.seed() + "; a seed spread needs distinct seeds");
      }
      List<String> models = new Reproduction(p, dir, null).rows();
      Map<String, Row> rows = ReproductionReport.rows(dir, models);
      List<String> missing = models.stream().filter(m -> !rows.containsKey(m)).map(m -> "eval/" + m + ".json").toList();
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException(dir + ": unfinished run, " + String.join(", ", missing)
            + " missing; rerun `blip reproduce` with its settings to finish it");
      }
      runs.add(new Run(dir, p.seed(), rows, CapFiltNumbers.read(dir.resolve("capfilt-nucleus/report.json")),
          p.beamRow() ? CapFiltNumbers.read(dir.resolve("capfilt-beam/report.json")) : null));
    }
    return new SeedSpread(first, List.copyOf(runs));
  }

  private static String differences(ReproductionProfile a, ReproductionProfile b) {
    List<String> out = new ArrayList<>();
    for (RecordComponent c : ReproductionProfile.class.getRecordComponents()) {
      try {
        Object x = c.getAccessor().invoke(a);
        Object y = c.getAccessor().invoke(b);
        if (!c.getName().equals("seed") && !x.equals(y)) {
          out.add(c.getName() + " " + y + " vs " + x);
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return String.join(", ", out);
  }

  /** The rows every run holds, in order. */
  public List<String> rowNames() {
    return List.copyOf(runs.get(0).rows().keySet());
  }

  /** {@code metric} of {@code row} over the seeds. */
  public Stat stat(String row, Metric metric) {
    return Stat.of(runs.stream().mapToDouble(r -> metric.value().applyAsDouble(r.rows().get(row))).toArray());
  }

  /** {@code row} − {@link #BASELINE} in {@code metric}, paired by seed. */
  public Stat difference(String row, Metric metric) {
    return Stat.of(runs.stream().mapToDouble(r -> metric.value().applyAsDouble(r.rows().get(row)) - metric.value().applyAsDouble(r.rows().get(BASELINE)))
        .toArray());
  }

  /** Seeds in which {@code row} is better than {@link #BASELINE} in {@code metric}. */
  public int better(String row, Metric metric) {
    return (int) runs.stream().filter(r -> metric.value().applyAsDouble(r.rows().get(row)) > metric.value().applyAsDouble(r.rows().get(BASELINE))).count();
  }

  /** Seeds in which C+F beats no-bootstrap on TR@1, IR@1 and CIDEr, all three (the report's verdict). */
  public int wins() {
    return (int) runs.stream().filter(r -> ReproductionReport.bootstrapWins(r.rows().get(BASELINE), r.rows().get(BOOTSTRAPPED))).count();
  }

  /**
   * YES when C+F beats no-bootstrap on TR@1, IR@1 and CIDEr in every seed, NO when in none, MIXED
   * otherwise; with the counts and the mean differences.
   */
  public String verdict() {
    int n = runs.size();
    int wins = wins();
    String word = wins == n ? "YES" : wins == 0 ? "NO" : "MIXED";
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "VERDICT ACROSS %d SEEDS (%s): %s — C+F beats no-bootstrap on TR@1, IR@1 and CIDEr together in %d of %d seeds", n, seedList(), word, wins, n));
    String sep = "; ";
    for (Metric m : List.of(METRICS.get(0), METRICS.get(1), METRICS.get(5))) {
      Stat d = difference(BOOTSTRAPPED, m);
      sb.append(sep).append(String.format(Locale.ROOT, "%s in %d (C+F − noboot %+.1f ± %.1f)", m.label(), better(BOOTSTRAPPED, m), d.mean(), d.sd()));
      sep = ", ";
    }
    return sb.append(" [mean ± sd over seeds, test split].").toString();
  }

  private String seedList() {
    return runs.stream().map(r -> Long.toString(r.seed())).collect(Collectors.joining(", "));
  }

  /** The summary as Markdown: the verdict, the rows over seeds, the paired differences, each seed, CapFilt per seed. */
  public String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# BLIP reproduction across training seeds (profile `").append(profile.name()).append("`, ").append(runs.size()).append(" runs)\n\n");
    sb.append("**").append(verdict()).append("**\n\n");
    sb.append("Runs of `blip reproduce --scale ").append(profile.name()).append(" --seed N`: the world and CapFilt's sampling are the same in all, "
        + "the seed of every training stage differs. ");
    sb.append(runs.stream().map(r -> "seed " + r.seed() + ": `" + r.dir() + "`").collect(Collectors.joining("; "))).append(".\n\n");
    sb.append("Mean ± sample standard deviation over the seeds, range in brackets. Recall in %; BLEU-4 and CIDEr ×100. "
        + "TR@1 / IR@1: fine-tuned, on test; ZS: the same model on zs_test; ITC: on test, ranked by the ITC similarity alone "
        + "(NaN for runs made before it was recorded).\n\n");

    sb.append("## Rows over seeds\n\n");
    header(sb, "row");
    for (String row : rowNames()) {
      sb.append("| ").append(row);
      for (Metric m : METRICS) {
        Stat s = stat(row, m);
        sb.append(String.format(Locale.ROOT, " | %.1f ± %.1f [%.1f, %.1f]", s.mean(), s.sd(), s.min(), s.max()));
      }
      sb.append(" |\n");
    }

    sb.append("\n## Each row minus no-bootstrap, paired by seed\n\n");
    header(sb, "row − noboot");
    for (String row : rowNames()) {
      if (row.equals(BASELINE)) {
        continue;
      }
      sb.append("| ").append(row);
      for (Metric m : METRICS) {
        Stat d = difference(row, m);
        sb.append(String.format(Locale.ROOT, " | %+.1f ± %.1f (better in %d/%d)", d.mean(), d.sd(), better(row, m), runs.size()));
      }
      sb.append(" |\n");
    }

    sb.append("\n## Per seed\n\n| seed | noboot TR@1 / IR@1 / CIDEr | C+F TR@1 / IR@1 / CIDEr | C+F beats noboot on all three |\n|---:|---|---|---|\n");
    for (Run r : runs) {
      Row nb = r.rows().get(BASELINE);
      Row cf = r.rows().get(BOOTSTRAPPED);
      sb.append(String.format(Locale.ROOT, "| %d | %.1f / %.1f / %.1f | %.1f / %.1f / %.1f | %s |\n", r.seed(), nb.trR1(), nb.irR1(), nb.cider(),
          cf.trR1(), cf.irR1(), cf.cider(), ReproductionReport.bootstrapWins(nb, cf) ? "YES" : "NO"));
    }

    boolean beam = runs.get(0).beam() != null;
    sb.append("\n## CapFilt per seed\n\nThe filter and the captioner are fine-tuned with the run's seed. Filter: on the noisy web captions "
        + "(their noise labels); synthetic: the share the world's oracle judges false.\n\n");
    sb.append("| seed | noisy web removed | clean web kept | nucleus synthetic false |").append(beam ? " beam synthetic false |" : "")
        .append("\n|---:|---:|---:|---:|").append(beam ? "---:|" : "").append("\n");
    for (Run r : runs) {
      sb.append("| ").append(r.seed()).append(" | ").append(ReproductionReport.pct(r.nucleus().noisyRemoved())).append(" | ").append(ReproductionReport.pct(r.nucleus().cleanKept()))
          .append(" | ").append(ReproductionReport.pct(r.nucleus().syntheticIncorrect())).append(" |").append(beam ? " " + ReproductionReport.pct(r.beam().syntheticIncorrect()) + " |" : "")
          .append("\n");
    }
    sb.append("| mean ± sd | ").append(pctStat(c -> c.nucleus().noisyRemoved())).append(" | ").append(pctStat(c -> c.nucleus().cleanKept()))
        .append(" | ").append(pctStat(c -> c.nucleus().syntheticIncorrect())).append(" |")
        .append(beam ? " " + pctStat(c -> c.beam().syntheticIncorrect()) + " |" : "").append("\n");
    return sb.toString();
  }

  private static void header(StringBuilder sb, String first) {
    sb.append("| ").append(first);
    METRICS.forEach(m -> sb.append(" | ").append(m.label()));
    sb.append(" |\n|---").append("|---:".repeat(METRICS.size())).append("|\n");
  }

  private String pctStat(ToDoubleFunction<Run> f) {
    Stat s = Stat.of(runs.stream().mapToDouble(f).toArray());
    return Double.isNaN(s.mean()) ? "–" : String.format(Locale.ROOT, "%.1f ± %.1f %%", 100 * s.mean(), 100 * s.sd());
  }

  /** The summary as one JSON object (metric keys as the report's evaluation files; CapFilt numbers as fractions; NaN as null). */
  public ObjectNode toJson() {
    ObjectNode j = JSON.createObjectNode();
    j.put("scale", profile.name()).put("verdict", verdict()).put("wins", wins());
    ArrayNode seeds = j.putArray("seeds");
    ArrayNode dirs = j.putArray("runs");
    runs.forEach(r -> {
      seeds.add(r.seed());
      dirs.add(r.dir().toString());
    });
    ObjectNode rows = j.putObject("rows");
    ObjectNode diffs = j.putObject("minus_noboot");
    for (String row : rowNames()) {
      ObjectNode o = rows.putObject(row);
      for (Metric m : METRICS) {
        put(o.putObject(m.key()), stat(row, m));
        if (!row.equals(BASELINE)) {
          ObjectNode d = diffs.has(row) ? (ObjectNode) diffs.get(row) : diffs.putObject(row);
          put(d.putObject(m.key()), difference(row, m)).put("better_in", better(row, m));
        }
      }
    }
    ObjectNode capfilt = j.putObject("capfilt");
    for (Run r : runs) {
      ObjectNode c = capfilt.putObject(Long.toString(r.seed()));
      put(c.putObject("nucleus"), r.nucleus());
      if (r.beam() != null) {
        put(c.putObject("beam"), r.beam());
      }
    }
    return j;
  }

  private static ObjectNode put(ObjectNode o, Stat s) {
    o.put("n", s.n());
    number(o, "mean", s.mean());
    number(o, "sd", s.sd());
    number(o, "min", s.min());
    number(o, "max", s.max());
    return o;
  }

  private static void put(ObjectNode o, CapFiltNumbers c) {
    number(o, "noisy_removed_fraction", c.noisyRemoved());
    number(o, "clean_kept_fraction", c.cleanKept());
    number(o, "synthetic_incorrect_ratio", c.syntheticIncorrect());
  }

  private static void number(ObjectNode o, String key, double v) {
    if (Double.isNaN(v)) {
      o.putNull(key);
    } else {
      o.put(key, v);
    }
  }
}
