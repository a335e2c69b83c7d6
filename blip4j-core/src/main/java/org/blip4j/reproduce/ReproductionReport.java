package org.blip4j.reproduce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.blip4j.capfilt.ShardResult;

/**
 * The report of a {@link Reproduction}: {@code report.md}, {@code report.html} (self-contained but for
 * images, referenced relatively) and {@code figure4.png}, built from the stage results on disk.
 *
 * @param rows per model (noboot, F, C, CF, CF-beam), its downstream numbers
 * @param verdict the plain verdict line: does C+F beat no-bootstrap on retrieval R@1 and CIDEr
 * @param markdown the report as Markdown
 */
public record ReproductionReport(Map<String, Row> rows, String verdict, String markdown) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A model's downstream numbers (percent; BLEU-4 and CIDEr ×100 as in the paper; NaN when missing).
   *
   * @param trR1 text retrieval R@1 on test (fine-tuned)
   * @param irR1 image retrieval R@1 on test
   * @param zsTrR1 text retrieval R@1 on zs_test (the same model, zero-shot)
   * @param zsIrR1 image retrieval R@1 on zs_test
   * @param bleu4 captioning BLEU-4 on test
   * @param cider captioning CIDEr on test
   * @param itcTrR1 text retrieval R@1 on test when the ITC similarity alone ranks (NaN for a run before stop 27)
   * @param itcIrR1 image retrieval R@1 on test, ITC alone
   */
  public record Row(double trR1, double irR1, double zsTrR1, double zsIrR1, double bleu4, double cider, double itcTrR1, double itcIrR1) {}

  /** Reads the results under {@code out} and writes the report files; returns the report. */
  public static ReproductionReport write(Path out, ReproductionProfile profile, List<String> models) throws IOException {
    Map<String, Row> rows = rows(out, models);
    List<String> warnings = new ArrayList<>();
    StringBuilder notes = new StringBuilder();
    diagnostics(notes, warnings, out, profile);
    String verdict = verdict(rows.get("noboot"), rows.get("CF"));
    if (!warnings.isEmpty()) {
      verdict += " Caveat: " + warnings.size() + " warning(s) in report.md (e.g. a model at chance level or a degenerate filter).";
    }
    boolean figure = writeFigure4(out);
    for (String w : warnings) {
      notes.append("**WARNING:** ").append(w).append("\n\n");
    }
    String md = markdown(out, profile, models, rows, verdict, figure, notes.toString());
    Reproduction.writeAtomically(out.resolve("report.md"), md);
    Reproduction.writeAtomically(out.resolve("report.html"), html(md));
    return new ReproductionReport(rows, verdict, md);
  }

  /** The rows of {@code models} whose evaluation ({@code eval/<model>.json}) exists under {@code out}, in order. */
  static Map<String, Row> rows(Path out, List<String> models) throws IOException {
    Map<String, Row> rows = new LinkedHashMap<>();
    for (String m : models) {
      Path f = out.resolve("eval").resolve(m + ".json");
      if (Files.isRegularFile(f)) {
        JsonNode e = JSON.readTree(f.toFile());
        rows.put(m, new Row(num(e, "retrieval_test", "txt_r1"), num(e, "retrieval_test", "img_r1"), num(e, "retrieval_zs_test", "txt_r1"),
            num(e, "retrieval_zs_test", "img_r1"), 100 * num(e, "caption_test", "Bleu_4"), 100 * num(e, "caption_test", "CIDEr"),
            itcNum(e, "txt_r1"), itcNum(e, "img_r1")));
      }
    }
    return rows;
  }

  private static double num(JsonNode e, String section, String metric) {
    return number(e.path(section).path("metrics").path(metric));
  }

  /** A test-split recall of ITC alone ({@code retrieval_test.metrics_itc}); NaN for results written before it was recorded. */
  private static double itcNum(JsonNode e, String metric) {
    return number(e.path("retrieval_test").path("metrics_itc").path(metric));
  }

  /** The node's value, NaN when it is not a number (a result file that lacks it). */
  static double number(JsonNode n) {
    return n.isNumber() ? n.asDouble() : Double.NaN;
  }

  static String verdict(Row noboot, Row cf) {
    if (noboot == null || cf == null) {
      return "VERDICT: incomplete — the noboot or CF evaluation is missing.";
    }
    boolean tr = cf.trR1() > noboot.trR1();
    boolean ir = cf.irR1() > noboot.irR1();
    boolean cider = cf.cider() > noboot.cider();
    String yes = bootstrapWins(noboot, cf) ? "YES" : "NO";
    return String.format(Locale.ROOT,
        "VERDICT: does C+F beat no-bootstrap on retrieval R@1 and CIDEr? %s — TR@1 %.1f vs %.1f (%s), IR@1 %.1f vs %.1f (%s), CIDEr %.1f vs %.1f (%s) [CF vs noboot, test split].",
        yes, cf.trR1(), noboot.trR1(), word(tr), cf.irR1(), noboot.irR1(), word(ir), cf.cider(), noboot.cider(), word(cider));
  }

  /** The verdict's question: is {@code cf} better than {@code noboot} on TR@1, IR@1 and CIDEr, all three. */
  static boolean bootstrapWins(Row noboot, Row cf) {
    return cf.trR1() > noboot.trR1() && cf.irR1() > noboot.irR1() && cf.cider() > noboot.cider();
  }

  private static String word(boolean better) {
    return better ? "better" : "not better";
  }

  private static String f1(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String pct(JsonNode n) {
    return pct(number(n));
  }

  /** A fraction as a percentage with one decimal, "–" for NaN. */
  static String pct(double fraction) {
    return Double.isNaN(fraction) ? "–" : String.format(Locale.ROOT, "%.1f %%", 100 * fraction);
  }

  private static String markdown(Path out, ReproductionProfile p, List<String> models, Map<String, Row> rows, String verdict, boolean figure,
      String notes) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("# BLIP reproduction on the Shapes world (profile `").append(p.name()).append("`)\n\n");
    sb.append("**").append(verdict).append("**\n\n");
    sb.append(String.format(Locale.ROOT, "Setup: Shapes world scale %s (noise 0.4, seed 0, %d px), model `%s` at %d px in %d-px patches, batch %d, training seed %d. "
        + "Every pre-training (noboot, F, C, CF%s) trains a NEW model of the same size for the SAME number of steps: %d "
        + "(learning rate %.0e constant after %d warm-up steps, so equal steps see equal rates; the ITC distillation ramp is 2 epochs, as in BLIP, "
        + "so it is shorter in steps on smaller datasets). Fine-tunes on human_train: captioning %d steps (cosine from %.0e), "
        + "retrieval — the filter included — %d steps (cosine from %.0e) with %s ITM negatives, never a caption the data pairs with the image "
        + "(BLIP excludes only captions of the same image; here a caption written for several images is not a negative of any of them). "
        + "%s"
        + "The captioner and the filter of CapFilt are noboot's caption and retrieval fine-tunes, which are also noboot's downstream models. "
        + "Retrieval: ITC top-%d re-ranked by ITM, `[ENC]`. Captioning: beam %d, prompt \"a picture of \".\n\n",
        p.shapesScale(), p.shapesImageSize(), p.model(), p.imageSize(), p.patchSize(), p.batchSize(), p.seed(), p.beamRow() ? ", CF-beam" : "", p.pretrainSteps(),
        p.pretrainLr(), p.warmupSteps(), p.finetuneSteps(), p.finetuneLr(), p.retrievalSteps(), p.retrievalLr(),
        p.itmNegatives().equals("random") ? "random (not BLIP's hard; see README)" : "BLIP's hard",
        p.visionWarmupSteps() > 0 ? String.format(Locale.ROOT, "As BLIP starts from an ImageNet ViT, every pre-training starts from ONE shared vision "
            + "warm-up (%s%d steps on %d fresh labelled scenes at %.0e, none of the world's images: the ViT learns what captions can say of a "
            + "scene — colours, shapes, counts, positions, relations; `vision-warmup/`), and the text side is initialised with std %.3f (BLIP's 0.02 "
            + "leaves this narrow model's [CLS] independent of the text). ",
            p.visionWarmupSingleObjectSteps() > 0 ? p.visionWarmupSingleObjectSteps() + " steps on the scenes of one large object, where shape is "
                + "learnt first, then " : "",
            p.visionWarmupSteps(), p.visionWarmupImages(), p.visionWarmupLr(), p.textInitStd())
            + (p.visionFrozen() ? "After the warm-up the ViT is FROZEN (unlike BLIP, which fine-tunes it): every pre-training and fine-tune "
                + "trains the text side only, as pre-training on this small world otherwise overwrites the shape features the warm-up learnt. " : "")
            : "",
        p.kTest(), p.captionBeams()));
    sb.append("Evaluation sets: test ").append(p.testImages() > 0 ? "first " + p.testImages() + " images (subset)" : "all images")
        .append(", zs_test ").append(p.zsImages() > 0 ? "first " + p.zsImages() + " images (subset)" : "all images")
        .append(" (files `data/test-eval.json`, `data/zs_test-eval.json`).")
        .append(p.beamRow() ? "" : " This profile skips the beam-search CapFilt row (CF-beam) to fit its time budget.").append("\n\n");
    JsonNode data = readOrNull(out.resolve("data/result.json"));
    if (data != null) {
      sb.append("Pre-training datasets (records): noboot = human_train + web_train");
      for (String m : models) {
        if (!m.equals("noboot") && data.has(m)) {
          sb.append(", ").append(m).append(" = ").append(data.get(m).asInt());
        }
      }
      sb.append(" (human: ").append(data.path("human").asInt()).append(").\n\n");
    }
    sb.append(notes);
    sb.append("## Table 1 analog — effect of CapFilt\n\n");
    sb.append("| pre-training data | TR@1 (test, FT) | IR@1 (test, FT) | TR@1 (zs_test, ZS) | IR@1 (zs_test, ZS) | BLEU-4 | CIDEr |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
    Map<String, String> label = Map.of("noboot", "no bootstrap (human + web)", "F", "F: filter only", "C", "C: captioner only", "CF", "C+F",
        "CF-beam", "C+F, beam search");
    for (String m : Reproduction.TABLE1) {
      appendRow(sb, label.get(m), rows.get(m));
    }
    sb.append("\nRecall in %; BLEU-4 and CIDEr ×100. FT: the model fine-tuned for retrieval on human_train, evaluated on test; "
        + "ZS: the same model on zs_test (held-out phrasing, the paper's zero-shot Flickr column).\n\n");
    sb.append("## Table 2 analog — nucleus sampling vs beam search\n\n");
    JsonNode nuc = readOrNull(out.resolve("capfilt-nucleus/report.json"));
    JsonNode beam = readOrNull(out.resolve("capfilt-beam/report.json"));
    sb.append("| generation | synthetic noise ratio (oracle) | synthetic kept | noise of kept synthetic | TR@1 | IR@1 | TR@1 ZS | IR@1 ZS | BLEU-4 | CIDEr |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    table2Row(sb, "nucleus (C+F)", nuc, rows.get("CF"));
    if (beam != null || p.beamRow()) {
      table2Row(sb, "beam (C+F)", beam, rows.get("CF-beam"));
    } else {
      sb.append("| beam | not run in this profile | | | | | | | | |\n");
    }
    sb.append("\nSynthetic noise ratio: the share of synthetic captions the Shapes oracle (the scene graph) judges incorrect.\n\n");
    sb.append("## The filter's removal rate per web-noise kind (nucleus run)\n\n");
    if (nuc != null && nuc.has("filter_vs_noise_labels")) {
      JsonNode f = nuc.get("filter_vs_noise_labels");
      sb.append("| kind | web captions | removed | removal rate |\n|---|---:|---:|---:|\n");
      f.path("kinds").properties().forEach(e -> sb.append("| ").append(e.getKey()).append(e.getValue().path("clean").asBoolean() ? " (clean)" : "")
          .append(" | ").append(e.getValue().path("total").asLong()).append(" | ").append(e.getValue().path("removed").asLong()).append(" | ")
          .append(pct(e.getValue().path("removed_fraction"))).append(" |\n"));
      sb.append("\nOverall: removes ").append(pct(f.path("noisy_removed_fraction"))).append(" of noisy web captions, keeps ")
          .append(pct(f.path("clean_kept_fraction"))).append(" of clean ones; removal precision ").append(pct(f.path("removal_precision")))
          .append(". Threshold ").append(nuc.path("threshold").asDouble()).append('.');
      if (f.has("auc")) {
        JsonNode best = f.path("balanced");
        sb.append(String.format(Locale.ROOT, " Whatever the threshold: ROC AUC %.3f of clean over noisy; the best balance is at %.3f, which keeps %s and removes %s.",
            f.path("auc").asDouble(), best.path("threshold").asDouble(), pct(best.path("clean_kept_fraction")), pct(best.path("noisy_removed_fraction"))));
      }
      sb.append(" Details: `capfilt-nucleus/report.md`.\n\n");
    } else {
      sb.append("(no CapFilt report)\n\n");
    }
    truthSection(sb, out, models, label);
    if (figure) {
      sb.append("## Figure 4 analog — web vs synthetic captions\n\n");
      sb.append("Green: kept by the filter; red: removed. Web images of the nucleus CapFilt run.\n\n![figure 4](figure4.png)\n\n");
    }
    sb.append("## Loss curves\n\n");
    List<String> runs = new ArrayList<>();
    for (String m : models) {
      runs.add("pretrain-" + m);
    }
    runs.add("captioner");
    runs.add("filter");
    for (String m : models) {
      if (!m.equals("noboot")) {
        runs.add("retrieval-" + m);
        runs.add("caption-" + m);
      }
    }
    for (String r : runs) {
      if (Files.isRegularFile(out.resolve(r).resolve("loss.png"))) {
        sb.append("### ").append(r).append("\n\n![").append(r).append(" loss](").append(r).append("/loss.png)\n\n");
      }
    }
    sb.append("## Files\n\nModels (HF layout): `models/`. Per-stage configs (rerun with `blip pretrain` / `blip finetune`): `configs/`. "
        + "Datasets: `data/`. Evaluation results: `eval/`. CapFilt: `capfilt-*/`.\n");
    return sb.toString();
  }

  /**
   * The test split judged by the world's truth ({@link WorldTruth}): per model, R@1 beside the share of
   * top-ranked texts / images that are true, and the share of true generated captions; then the R@1 a
   * truth-knowing retriever reaches on this split. Absent for results without {@code world_truth}.
   */
  private static void truthSection(StringBuilder sb, Path out, List<String> models, Map<String, String> label) throws IOException {
    JsonNode oracle = null;
    StringBuilder rows = new StringBuilder();
    for (String m : models) {
      JsonNode e = readOrNull(out.resolve("eval").resolve(m + ".json"));
      JsonNode t = e == null ? null : e.path("retrieval_test").path("world_truth");
      if (t == null || t.isMissingNode()) {
        continue;
      }
      oracle = t;
      rows.append("| ").append(label.get(m)).append(" | ").append(f1(num(e, "retrieval_test", "txt_r1"))).append(" | ")
          .append(f1(itcNum(e, "txt_r1"))).append(" | ")
          .append(f1(number(t.path("txt_true_r1")))).append(" | ").append(f1(num(e, "retrieval_test", "img_r1"))).append(" | ")
          .append(f1(itcNum(e, "img_r1"))).append(" | ")
          .append(f1(number(t.path("img_true_r1")))).append(" | ")
          .append(f1(number(e.path("caption_test").path("world_truth").path("captions_true")))).append(" |\n");
    }
    if (oracle == null) {
      return;
    }
    sb.append("## Judged by the world's truth (test split)\n\n");
    sb.append("A Shapes caption mentions part of its scene, so it is often true of other test images too; R@1 counts such a caption as a miss. "
        + "Here the Shapes oracle (the scene graph) judges what each model ranked first, and the captions it wrote.\n\n");
    sb.append("| pre-training data | TR@1 | TR@1 ITC alone | top-1 text true | IR@1 | IR@1 ITC alone | top-1 image true | generated captions true |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
    sb.append(rows);
    sb.append(String.format(Locale.ROOT, "%nIn %%. A retriever that knows which test captions are true of which images, but not who wrote them, "
        + "reaches TR@1 %.1f (it ranks an image's true captions most specific first) and IR@1 %.1f (it picks one of the images a caption is "
        + "true of): reference points for how high R@1 can go on this split. \"ITC alone\": the same model's R@1 when the ITC similarity "
        + "alone ranks (no ITM re-ranking; `blip eval retrieval --scoring itc`): ITM judges whether a caption is true, not whether it is "
        + "the most specific true one. Generated captions: the caption fine-tune's beam search, as in "
        + "Table 1.%n%n", number(oracle.path("txt_r1_oracle")), number(oracle.path("img_r1_oracle"))));
  }

  /** Held-out shape AUC on scenes of one large object above which the warm-up's ViT has learnt shape (measured: 0.999 when it has). */
  static final double SHAPE_CLICKED = 0.95;

  /**
   * Warnings a reader needs before the tables: a filter that kept nothing (or everything) makes F and
   * CF degenerate; ITM / ITC losses at their chance level mean the model learnt no alignment at this budget;
   * a warm-up ViT that cannot tell shapes apart even on single large objects leaves ITM blind to shape.
   */
  private static void diagnostics(StringBuilder sb, List<String> warnings, Path out, ReproductionProfile p) throws IOException {
    JsonNode nuc = readOrNull(out.resolve("capfilt-nucleus/report.json"));
    if (nuc != null) {
      long webKept = nuc.path("web").path("kept").asLong();
      long webTotal = nuc.path("web").path("total").asLong();
      long synKept = nuc.path("synthetic").path("kept").asLong();
      long synTotal = nuc.path("synthetic").path("total").asLong();
      if (webKept == 0 && synKept == 0) {
        warnings.add("The filter removed EVERY web and synthetic caption (no ITM match probability reached " + nuc.path("threshold").asDouble()
            + "): F and C+F are the human-only set, so this run does not test CapFilt's filter.");
      } else if (webKept == webTotal && synKept == synTotal) {
        warnings.add("The filter kept EVERY caption: F equals no-bootstrap and C+F equals C, so this run does not test the filter.");
      }
    }
    JsonNode heldOut = readOrNull(out.resolve("vision-warmup/heldout.json"));
    if (heldOut != null) {
      StringBuilder groups = new StringBuilder();
      heldOut.fields().forEachRemaining(f -> {
        if (f.getValue().has("auc")) {
          groups.append(groups.length() == 0 ? "" : ", ").append(f.getKey()).append(String.format(Locale.ROOT, " %.3f", f.getValue().get("auc").asDouble()));
        }
      });
      sb.append("Note: what the shared vision warm-up's ViT knows, as mean ROC AUC per label group on ").append(heldOut.path("held_out_scenes").asInt())
          .append(" held-out scenes (`vision-warmup/heldout.json`; 0.5 is chance): ").append(groups);
      JsonNode single = heldOut.path("one_large_object");
      if (single.path("shape").has("auc")) {
        sb.append(String.format(Locale.ROOT, "; shape %.3f on the %d of them that hold one large object", single.path("shape").path("auc").asDouble(),
            single.path("scenes").asInt()));
      }
      sb.append(". Captions that differ only in what the ViT cannot tell apart cannot be matched or filtered by ITM.\n\n");
      double singleShape = single.path("shape").path("auc").asDouble(Double.NaN);
      if (singleShape < SHAPE_CLICKED) {
        warnings.add(String.format(Locale.ROOT, "The vision warm-up's ViT tells shapes apart at only AUC %.3f even on held-out scenes of one large "
            + "object (once shape is learnt it scores above %.2f there), so ITM can match and filter colours, sizes and positions but hardly "
            + "shapes. %s", singleShape, SHAPE_CLICKED, p.visionWarmupSingleObjectSteps() > 0
            ? "When shape is learnt in the single-object curriculum depends on the seed; more single_object_steps give it time."
            : "This profile has no single-object curriculum (the full profile has)."));
      }
    }
    // chance levels: ITM with 1 positive : 2 hard negatives predicts 1/3 -> binary entropy; ITC over batch + queue candidates
    double itmChance = -(Math.log(1 / 3.0) / 3 + 2 * Math.log(2 / 3.0) / 3);
    double itcChance = Math.log(p.batchSize() + p.queueSize());
    for (String run : List.of("pretrain-noboot", "filter")) {
      JsonNode last = lastMetrics(out.resolve(run).resolve("metrics.jsonl"));
      if (last != null && last.has("itm")) {
        double itm = last.path("itm").asDouble();
        double itc = last.path("itc").asDouble();
        String line = String.format(Locale.ROOT, "%s: final ITM loss %.3f (chance %.3f), ITC loss %.3f (chance about %.2f)", run, itm, itmChance, itc, itcChance);
        if (itm > itmChance - 0.02) {
          warnings.add(line + " — the ITM head has not learnt beyond its prior at this budget" + (run.equals("filter")
              ? ", so the filter and ITM re-ranking carry no signal." : " (pre-training's pairs include the web noise); the filter is fine-tuned from it."));
        } else {
          sb.append("Note: ").append(line).append(".\n\n");
        }
      }
    }
    for (String m : List.of("noboot", "CF")) {
      JsonNode e = readOrNull(out.resolve("eval").resolve(m + ".json"));
      JsonNode distinct = e == null ? null : e.path("caption_test").get("distinct_captions");
      if (distinct != null && distinct.asInt() <= 1) {
        warnings.add("caption-" + m + " wrote the same caption for every test image (\"" + e.path("caption_test").path("examples").path(0).path("caption").asText()
            + "\"): its captions do not depend on the image, so BLEU/CIDEr measure only how typical that one sentence is.");
      }
    }
  }

  private static JsonNode lastMetrics(Path jsonl) throws IOException {
    if (!Files.isRegularFile(jsonl)) {
      return null;
    }
    String last = null;
    for (String line : Files.readAllLines(jsonl)) {
      if (!line.isBlank()) {
        last = line;
      }
    }
    return last == null ? null : JSON.readTree(last);
  }

  private static void appendRow(StringBuilder sb, String label, Row r) {
    sb.append("| ").append(label);
    if (r == null) {
      sb.append(" | – | – | – | – | – | – |\n");
    } else {
      sb.append(" | ").append(f1(r.trR1())).append(" | ").append(f1(r.irR1())).append(" | ").append(f1(r.zsTrR1())).append(" | ").append(f1(r.zsIrR1()))
          .append(" | ").append(f1(r.bleu4())).append(" | ").append(f1(r.cider())).append(" |\n");
    }
  }

  private static void table2Row(StringBuilder sb, String label, JsonNode rep, Row r) {
    JsonNode noise = rep == null ? JSON.missingNode() : rep.path("synthetic_noise");
    JsonNode kept = rep == null ? JSON.missingNode() : rep.path("synthetic").path("kept_fraction");
    sb.append("| ").append(label).append(" | ").append(pct(noise.path("incorrect_ratio"))).append(" | ").append(pct(kept)).append(" | ")
        .append(pct(noise.path("kept_incorrect_ratio")));
    if (r == null) {
      sb.append(" | – | – | – | – | – | – |\n");
    } else {
      sb.append(" | ").append(f1(r.trR1())).append(" | ").append(f1(r.irR1())).append(" | ").append(f1(r.zsTrR1())).append(" | ").append(f1(r.zsIrR1()))
          .append(" | ").append(f1(r.bleu4())).append(" | ").append(f1(r.cider())).append(" |\n");
    }
  }

  private static JsonNode readOrNull(Path f) throws IOException {
    return Files.isRegularFile(f) ? JSON.readTree(f.toFile()) : null;
  }

  /** figure4.png: ~8 web images (noisy and clean alike) with their web and first synthetic caption, green kept / red removed. */
  static boolean writeFigure4(Path out) throws IOException {
    Path dir = out.resolve("capfilt-nucleus");
    if (!Files.isDirectory(dir.resolve("shards"))) {
      return false;
    }
    List<ShardResult.ScoredSample> all = Reproduction.scored(dir);
    // 4 with a noisy web caption, then clean ones, in input order: both kinds of filter decision are shown
    List<ShardResult.ScoredSample> pick = new ArrayList<>();
    for (ShardResult.ScoredSample s : all) {
      if (pick.size() < 4 && s.noise().map(n -> !n.startsWith("clean")).orElse(false)) {
        pick.add(s);
      }
    }
    for (ShardResult.ScoredSample s : all) {
      if (pick.size() < 8 && !pick.contains(s)) {
        pick.add(s);
      }
    }
    if (pick.isEmpty()) {
      return false;
    }
    int cellW = 560;
    int cellH = 140;
    int cols = 2;
    int rowsN = (pick.size() + cols - 1) / cols;
    BufferedImage img = new BufferedImage(cols * cellW, rowsN * cellH, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, img.getWidth(), img.getHeight());
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      Color green = new Color(0, 130, 40);
      Color red = new Color(200, 20, 20);
      for (int i = 0; i < pick.size(); i++) {
        ShardResult.ScoredSample s = pick.get(i);
        int x = (i % cols) * cellW + 8;
        int y = (i / cols) * cellH + 8;
        Path file = out.resolve("shapes/images").resolve(s.image());
        BufferedImage pic = Files.isRegularFile(file) ? ImageIO.read(file.toFile()) : null;
        if (pic != null) {
          g.drawImage(pic, x, y, 120, 120, null);
        }
        g.setColor(Color.GRAY);
        g.drawRect(x, y, 120, 120);
        int tx = x + 130;
        int ty = y + 16;
        g.setColor(Color.DARK_GRAY);
        g.drawString(s.image() + s.noise().map(n -> "  [web label: " + n + "]").orElse(""), tx, ty);
        ty += 20;
        boolean synthetic = false;
        for (ShardResult.Candidate c : s.candidates()) {
          if (c.source() == ShardResult.Source.SYNTHETIC) {
            if (synthetic) {
              break; // the first synthetic caption only
            }
            synthetic = true;
          }
          g.setColor(c.kept() ? green : red);
          String head = (c.source() == ShardResult.Source.WEB ? "Tw: " : "Ts: ") + (c.kept() ? "KEPT " : "REMOVED ")
              + String.format(Locale.ROOT, "(itm %.2f)", c.itm());
          g.drawString(head, tx, ty);
          ty += 16;
          for (String line : wrap(g.getFontMetrics(), "\"" + c.caption() + "\"", cellW - 150)) {
            g.drawString(line, tx, ty);
            ty += 16;
          }
          ty += 4;
        }
      }
    } finally {
      g.dispose();
    }
    Path tmp = out.resolve("figure4.png.tmp");
    ImageIO.write(img, "png", tmp.toFile());
    Files.move(tmp, out.resolve("figure4.png"), StandardCopyOption.REPLACE_EXISTING);
    return true;
  }

  private static List<String> wrap(FontMetrics fm, String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String w : text.split(" ")) {
      if (cur.length() > 0 && fm.stringWidth(cur + " " + w) > width) {
        lines.add(cur.toString());
        cur.setLength(0);
      }
      cur.append(cur.length() > 0 ? " " : "").append(w);
    }
    if (cur.length() > 0) {
      lines.add(cur.toString());
    }
    return lines.size() > 2 ? List.of(lines.get(0), lines.get(1) + " …") : lines;
  }

  /** A self-contained HTML page of the Markdown subset this report uses (headings, tables, images, bold, code, paragraphs). */
  static String html(String md) {
    StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>BLIP reproduction</title><style>"
        + "body{font-family:sans-serif;max-width:1200px;margin:2em auto;line-height:1.4}table{border-collapse:collapse;margin:1em 0}"
        + "td,th{border:1px solid #999;padding:4px 8px}td{text-align:right}td:first-child{text-align:left}th{background:#eee}"
        + "img{max-width:100%;border:1px solid #ccc}code{background:#f4f4f4}</style></head><body>\n");
    boolean inTable = false;
    boolean header = false;
    for (String line : md.split("\n")) {
      if (line.startsWith("|")) {
        String[] cells = line.substring(1, line.length() - (line.endsWith("|") ? 1 : 0)).split("\\|", -1);
        if (!inTable) {
          h.append("<table>\n");
          inTable = true;
          header = true;
        }
        if (cells.length > 0 && cells[0].trim().startsWith("---")) {
          continue;
        }
        String tag = header ? "th" : "td";
        h.append("<tr>");
        for (String c : cells) {
          h.append('<').append(tag).append('>').append(inline(c.trim())).append("</").append(tag).append('>');
        }
        h.append("</tr>\n");
        header = false;
        continue;
      }
      if (inTable) {
        h.append("</table>\n");
        inTable = false;
      }
      if (line.startsWith("### ")) {
        h.append("<h3>").append(inline(line.substring(4))).append("</h3>\n");
      } else if (line.startsWith("## ")) {
        h.append("<h2>").append(inline(line.substring(3))).append("</h2>\n");
      } else if (line.startsWith("# ")) {
        h.append("<h1>").append(inline(line.substring(2))).append("</h1>\n");
      } else if (!line.isBlank()) {
        h.append("<p>").append(inline(line)).append("</p>\n");
      }
    }
    if (inTable) {
      h.append("</table>\n");
    }
    return h.append("</body></html>\n").toString();
  }

  private static String inline(String s) {
    String e = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    e = e.replaceAll("!\\[([^\\]]*)\\]\\(([^)]*)\\)", "<img alt=\"$1\" src=\"$2\">");
    e = e.replaceAll("\\*\\*([^*]+)\\*\\*", "<b>$1</b>");
    return e.replaceAll("`([^`]+)`", "<code>$1</code>");
  }
}
