package org.blip4j.capfilt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.blip4j.capfilt.ShardResult.Candidate;
import org.blip4j.capfilt.ShardResult.ScoredSample;
import org.blip4j.capfilt.ShardResult.Source;
import org.blip4j.eval.BinaryScores;
import org.blip4j.eval.BinaryScores.OperatingPoint;

/**
 * What CapFilt did: captions kept / removed per source, and — where the web records carry a noise
 * label ({@code meta.noise}: {@code clean_web}/{@code clean} are clean, every other label noisy) —
 * how well the filter separates noise: per kind the fraction removed (for a noisy kind the recall of
 * removal, for a clean kind the fraction wrongly removed), overall "removes X % of noisy web
 * captions, keeps Y % of clean ones", the precision of removal (noisy / all removed labelled web
 * captions), a histogram of ITM probabilities per kind (10 bins of width 0.1, the last closed), and
 * what the scores say whatever the threshold: the ROC AUC of clean over noisy, the share kept / removed at
 * thresholds 0.1 … 0.9, and the threshold that best balances the two.
 * With a {@link CaptionOracle}: the share of synthetic captions it judges incorrect, all and kept.
 *
 * @param threshold the filter's threshold
 * @param samples web samples scored
 * @param skippedImages samples skipped for a bad image, by reason
 * @param inputBad records the reader skipped, by reason
 * @param human human records passed through
 * @param web web captions
 * @param synthetic synthetic captions
 * @param kinds per noise label, in the order clean_web, clean, wrong_attr, mismatch, unrelated, then others by name
 * @param syntheticHistogram ITM probabilities of the synthetic captions
 * @param oracle the synthetic captions' judgement, when an oracle was given
 * @param cleanVsNoisy the ITM probabilities of the clean (positive) and noisy (negative) labelled web
 *     captions, when there are both
 */
public record CapFiltReport(double threshold, long samples, Map<String, Long> skippedImages, Map<String, Long> inputBad, long human,
    Counts web, Counts synthetic, Map<String, KindStats> kinds, long[] syntheticHistogram, Optional<OracleStats> oracle,
    Optional<BinaryScores> cleanVsNoisy) {
  /** Histogram bins over [0, 1]. */
  public static final int BINS = 10;
  private static final List<String> KIND_ORDER = List.of("clean_web", "clean", "wrong_attr", "mismatch", "unrelated");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The thresholds of the report's sweep: 0.1 … 0.9. */
  private static final List<Double> SWEEP = IntStream.range(1, BINS).mapToObj(i -> i / (double) BINS).toList();

  /** Kept / total of one source. */
  public record Counts(long total, long kept) {
    /** Removed by the filter. */
    public long removed() {
      return total - kept;
    }

    /** kept / total (NaN when empty). */
    public double keptFraction() {
      return (double) kept / total;
    }
  }

  /** The web captions of one noise label. */
  public record KindStats(String kind, long total, long removed, long[] histogram) {
    /** Whether the label means a correct caption. */
    public boolean clean() {
      return isClean(kind);
    }

    /** removed / total: recall of removal for a noisy kind, false-removal rate for a clean one. */
    public double removedFraction() {
      return (double) removed / total;
    }
  }

  /**
   * The oracle's judgement of the synthetic captions.
   *
   * @param judged captions it could judge
   * @param incorrect of those, judged incorrect
   * @param keptJudged judged captions the filter kept
   * @param keptIncorrect of those, judged incorrect
   * @param unjudged captions it could not judge
   */
  public record OracleStats(long judged, long incorrect, long keptJudged, long keptIncorrect, long unjudged) {
    /** Noise ratio of all synthetic captions. */
    public double incorrectRatio() {
      return (double) incorrect / judged;
    }

    /** Noise ratio of the kept synthetic captions (what enters the bootstrapped set). */
    public double keptIncorrectRatio() {
      return (double) keptIncorrect / keptJudged;
    }
  }

  /** Whether a noise label means a correct web caption. */
  public static boolean isClean(String kind) {
    return kind.equals("clean_web") || kind.equals("clean");
  }

  /** The histogram bin of a probability: floor(10 p), 1.0 in the last bin. */
  public static int bin(float p) {
    return Math.max(0, Math.min(BINS - 1, (int) Math.floor(p * (double) BINS)));
  }

  /** Computes the report from scored samples (in any order); {@code oracle} may be null. */
  public static CapFiltReport of(List<ScoredSample> scored, Map<String, Long> skippedImages, Map<String, Long> inputBad, long human,
      double threshold, CaptionOracle oracle) {
    long webTotal = 0;
    long webKept = 0;
    long synTotal = 0;
    long synKept = 0;
    long[] synHist = new long[BINS];
    Map<String, long[]> kindCounts = new TreeMap<>(); // kind -> {total, removed}
    Map<String, long[]> kindHist = new TreeMap<>();
    long judged = 0;
    long incorrect = 0;
    long keptJudged = 0;
    long keptIncorrect = 0;
    long unjudged = 0;
    List<Float> cleanScores = new ArrayList<>();
    List<Float> noisyScores = new ArrayList<>();
    for (ScoredSample s : scored) {
      for (Candidate c : s.candidates()) {
        if (c.source() == Source.WEB) {
          webTotal++;
          webKept += c.kept() ? 1 : 0;
          Optional<String> kind = s.noise();
          if (kind.isPresent()) {
            long[] k = kindCounts.computeIfAbsent(kind.get(), x -> new long[2]);
            k[0]++;
            k[1] += c.kept() ? 0 : 1;
            kindHist.computeIfAbsent(kind.get(), x -> new long[BINS])[bin(c.itm())]++;
            if (!Float.isNaN(c.itm())) { // a NaN probability has no rank (its histogram bin is the first)
              (isClean(kind.get()) ? cleanScores : noisyScores).add(c.itm());
            }
          }
        } else if (c.source() == Source.SYNTHETIC) {
          synTotal++;
          synKept += c.kept() ? 1 : 0;
          synHist[bin(c.itm())]++;
          if (oracle != null) {
            Optional<Boolean> ok = oracle.isCorrect(s.image(), c.caption());
            if (ok.isEmpty()) {
              unjudged++;
            } else {
              judged++;
              incorrect += ok.get() ? 0 : 1;
              if (c.kept()) {
                keptJudged++;
                keptIncorrect += ok.get() ? 0 : 1;
              }
            }
          }
        }
      }
    }
    Map<String, KindStats> kinds = new LinkedHashMap<>();
    List<String> order = new ArrayList<>(KIND_ORDER);
    kindCounts.keySet().stream().filter(k -> !KIND_ORDER.contains(k)).forEach(order::add);
    for (String k : order) {
      if (kindCounts.containsKey(k)) {
        kinds.put(k, new KindStats(k, kindCounts.get(k)[0], kindCounts.get(k)[1], kindHist.get(k)));
      }
    }
    Optional<OracleStats> os = oracle == null ? Optional.empty() : Optional.of(new OracleStats(judged, incorrect, keptJudged, keptIncorrect, unjudged));
    return new CapFiltReport(threshold, scored.size(), new TreeMap<>(skippedImages), new TreeMap<>(inputBad), human,
        new Counts(webTotal, webKept), new Counts(synTotal, synKept), kinds, synHist, os,
        cleanScores.isEmpty() || noisyScores.isEmpty() ? Optional.empty() : Optional.of(new BinaryScores(cleanScores, noisyScores)));
  }

  /** Noisy web captions (labelled, not clean). */
  public long noisy() {
    return kinds.values().stream().filter(k -> !k.clean()).mapToLong(KindStats::total).sum();
  }

  /** Noisy web captions the filter removed. */
  public long noisyRemoved() {
    return kinds.values().stream().filter(k -> !k.clean()).mapToLong(KindStats::removed).sum();
  }

  /** Clean labelled web captions. */
  public long clean() {
    return kinds.values().stream().filter(KindStats::clean).mapToLong(KindStats::total).sum();
  }

  /** Clean labelled web captions the filter kept. */
  public long cleanKept() {
    return kinds.values().stream().filter(KindStats::clean).mapToLong(k -> k.total() - k.removed()).sum();
  }

  /** The share of noisy captions removed (recall of removal); NaN without noisy labels. */
  public double noisyRemovedFraction() {
    return (double) noisyRemoved() / noisy();
  }

  /** The share of clean captions kept; NaN without clean labels. */
  public double cleanKeptFraction() {
    return (double) cleanKept() / clean();
  }

  /** Of the labelled web captions removed, the share that were noisy (precision of removal); NaN if none removed. */
  public double removalPrecision() {
    long removed = kinds.values().stream().mapToLong(KindStats::removed).sum();
    return (double) noisyRemoved() / removed;
  }

  /** Records in {@code bootstrapped.json}. */
  public long bootstrapped() {
    return human + web.kept() + synthetic.kept();
  }

  private static void putFraction(ObjectNode o, String key, double v) {
    if (Double.isNaN(v)) {
      o.putNull(key);
    } else {
      o.put(key, v);
    }
  }

  private static void putCounts(ObjectNode o, Counts c) {
    o.put("total", c.total()).put("kept", c.kept()).put("removed", c.removed());
    putFraction(o, "kept_fraction", c.keptFraction());
  }

  /** {@code report.json}. */
  public ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("threshold", threshold);
    o.put("web_samples_scored", samples);
    o.set("skipped_bad_images", JSON.valueToTree(skippedImages));
    o.set("input_bad_records", JSON.valueToTree(inputBad));
    putCounts(o.putObject("web"), web);
    putCounts(o.putObject("synthetic"), synthetic);
    o.putObject("bootstrapped").put("human", human).put("web", web.kept()).put("synthetic", synthetic.kept()).put("total", bootstrapped());
    if (!kinds.isEmpty()) {
      ObjectNode f = o.putObject("filter_vs_noise_labels");
      f.put("noisy", noisy()).put("noisy_removed", noisyRemoved());
      putFraction(f, "noisy_removed_fraction", noisyRemovedFraction());
      f.put("clean", clean()).put("clean_kept", cleanKept());
      putFraction(f, "clean_kept_fraction", cleanKeptFraction());
      putFraction(f, "removal_precision", removalPrecision());
      ObjectNode per = f.putObject("kinds");
      for (KindStats k : kinds.values()) {
        ObjectNode n = per.putObject(k.kind());
        n.put("clean", k.clean()).put("total", k.total()).put("removed", k.removed()).put("kept", k.total() - k.removed());
        putFraction(n, "removed_fraction", k.removedFraction());
        ArrayNode h = n.putArray("itm_histogram");
        for (long c : k.histogram()) {
          h.add(c);
        }
      }
      cleanVsNoisy.ifPresent(b -> {
        f.put("auc", b.auc());
        putOperatingPoint(f.putObject("balanced"), b.balanced());
        ArrayNode points = f.putArray("thresholds");
        sweep(b).forEach(p -> putOperatingPoint(points.addObject(), p));
      });
    }
    ArrayNode h = o.putArray("synthetic_itm_histogram");
    for (long c : syntheticHistogram) {
      h.add(c);
    }
    oracle.ifPresent(os -> {
      ObjectNode n = o.putObject("synthetic_noise");
      n.put("judged", os.judged()).put("incorrect", os.incorrect()).put("unjudged", os.unjudged());
      putFraction(n, "incorrect_ratio", os.incorrectRatio());
      n.put("kept_judged", os.keptJudged()).put("kept_incorrect", os.keptIncorrect());
      putFraction(n, "kept_incorrect_ratio", os.keptIncorrectRatio());
    });
    return o;
  }

  /** The operating points at the sweep's thresholds, each computed once. */
  private static List<OperatingPoint> sweep(BinaryScores b) {
    return SWEEP.stream().map(b::at).toList();
  }

  private static void putOperatingPoint(ObjectNode o, OperatingPoint p) {
    o.put("threshold", p.threshold()).put("clean_kept_fraction", p.positivesAccepted()).put("noisy_removed_fraction", p.negativesRejected());
  }

  private static String pct(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f %%", 100 * v);
  }

  /** The one-sentence verdict on the noise labels, or empty without labels. */
  public Optional<String> verdict() {
    if (kinds.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("the filter removes " + pct(noisyRemovedFraction()) + " of noisy web captions (" + noisyRemoved() + "/" + noisy()
        + ") and keeps " + pct(cleanKeptFraction()) + " of clean ones (" + cleanKept() + "/" + clean() + ")");
  }

  /** {@code report.md}. */
  public String toMarkdown() {
    StringBuilder sb = new StringBuilder("# CapFilt report\n\n");
    sb.append(String.format(Locale.ROOT, "Threshold: ITM match probability >= %s. Web samples scored: %d.", threshold, samples));
    long skipped = skippedImages.values().stream().mapToLong(Long::longValue).sum();
    long bad = inputBad.values().stream().mapToLong(Long::longValue).sum();
    sb.append(String.format(Locale.ROOT, " Skipped for a bad image: %d %s; input records skipped by the reader: %d %s.\n\n", skipped, skippedImages, bad, inputBad));
    sb.append("| source | total | kept | removed | kept % |\n|---|---:|---:|---:|---:|\n");
    for (Map.Entry<String, Counts> e : List.of(Map.entry("web", web), Map.entry("synthetic", synthetic))) {
      Counts c = e.getValue();
      sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s |\n", e.getKey(), c.total(), c.kept(), c.removed(), pct(c.keptFraction())));
    }
    sb.append(String.format(Locale.ROOT, "%nBootstrapped dataset: %d human + %d web + %d synthetic = %d records.%n", human, web.kept(), synthetic.kept(), bootstrapped()));
    if (!kinds.isEmpty()) {
      sb.append("\n## Filter against the web noise labels\n\n").append(verdict().orElseThrow()).append("; ")
          .append("precision of removal ").append(pct(removalPrecision())).append(".\n\n");
      sb.append("| kind | total | removed | removed % | ITM histogram (0.0–0.1 … 0.9–1.0) |\n|---|---:|---:|---:|---|\n");
      for (KindStats k : kinds.values()) {
        sb.append(String.format(Locale.ROOT, "| %s%s | %d | %d | %s | %s |\n", k.kind(), k.clean() ? " (clean: wrongly removed)" : " (noisy: recall)",
            k.total(), k.removed(), pct(k.removedFraction()), histogram(k.histogram())));
      }
      cleanVsNoisy.ifPresent(b -> {
        OperatingPoint best = b.balanced();
        sb.append(String.format(Locale.ROOT, "%nWhatever the threshold: ROC AUC %.3f (P(a clean caption scores above a noisy one)). "
            + "The best balance of the two shares is at threshold %.3f: keeps %s of clean, removes %s of noisy captions.%n%n",
            b.auc(), best.threshold(), pct(best.positivesAccepted()), pct(best.negativesRejected())));
        List<OperatingPoint> points = sweep(b);
        sb.append("| threshold |");
        points.forEach(p -> sb.append(String.format(Locale.ROOT, " %.1f |", p.threshold())));
        sb.append("\n|---|").append("---:|".repeat(points.size())).append("\n| clean kept |");
        points.forEach(p -> sb.append(' ').append(pct(p.positivesAccepted())).append(" |"));
        sb.append("\n| noisy removed |");
        points.forEach(p -> sb.append(' ').append(pct(p.negativesRejected())).append(" |"));
        sb.append('\n');
      });
    }
    sb.append("\nSynthetic captions' ITM histogram: ").append(histogram(syntheticHistogram)).append('\n');
    oracle.ifPresent(os -> sb.append(String.format(Locale.ROOT, "%nSynthetic captions judged incorrect by the oracle: %s (%d/%d; %d not judged); among the kept ones: %s (%d/%d).%n",
        pct(os.incorrectRatio()), os.incorrect(), os.judged(), os.unjudged(), pct(os.keptIncorrectRatio()), os.keptIncorrect(), os.keptJudged())));
    return sb.toString();
  }

  private static String histogram(long[] h) {
    StringBuilder sb = new StringBuilder();
    for (long c : h) {
      sb.append(sb.length() == 0 ? "" : " ").append(c);
    }
    return sb.toString();
  }
}
