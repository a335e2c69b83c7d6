package org.blip4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.blip4j.eval.CaptionEvaluation;
import org.blip4j.eval.EvalProgress;
import org.blip4j.eval.EvalResult;
import org.blip4j.eval.NlvrEvaluation;
import org.blip4j.eval.RetrievalEvaluation;
import org.blip4j.eval.VqaEvaluation;
import org.blip4j.generate.GenerationConfig;
import org.blip4j.task.Captioner;
import org.blip4j.task.ImageTextMatcher;
import org.blip4j.task.ImageTextMatcher.FirstToken;
import org.blip4j.task.NlvrClassifier;
import org.blip4j.task.VqaModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code blip eval}: runs a model over an annotated test split and reports the metrics of the
 * salesforce/BLIP evaluation code under its names: {@code retrieval}, {@code caption}, {@code vqa},
 * {@code nlvr}. Bad samples (unreadable images, malformed records) are skipped and counted; the
 * command still exits 0. Progress goes to stderr.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Evaluate a model on a test split (BLIP annotation JSON) and report the reference metrics.",
    subcommands = {EvalCommand.Retrieval.class, EvalCommand.Caption.class, EvalCommand.Vqa.class, EvalCommand.Nlvr.class})
public final class EvalCommand implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand (retrieval, caption, vqa or nlvr)");
  }

  /** The options every evaluation takes besides {@link Common}'s. */
  static final class Data {
    @Option(names = "--ann", required = true, paramLabel = "FILE", description = "The test split: a BLIP annotation JSON list.")
    Path ann;

    @Option(names = "--image-root", required = true, paramLabel = "DIR", description = "Directory the records' image paths are relative to.")
    Path imageRoot;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write one JSON object per evaluated sample (JSONL).")
    Path out;
  }

  /** Runs one evaluation: progress on stderr, the summary and metrics on stdout, per-sample lines to {@code --out}. */
  static int evaluate(Common common, Data data, String task, Callable<EvalResult> body, PerSample perSample) {
    return common.run(() -> {
      if (data.out != null && data.out.toAbsolutePath().getParent() != null && !Files.isDirectory(data.out.toAbsolutePath().getParent())) {
        throw new IllegalArgumentException(data.out + ": directory of --out does not exist");
      }
      EvalResult r = body.call();
      if (common.progress != null) {
        common.progress.finish();
        common.progress = null;
      }
      if (r.skipped() > 0) {
        StringBuilder sb = new StringBuilder().append(r.skipped()).append(" bad samples skipped");
        String sep = ": ";
        for (var e : r.skippedByReason().entrySet()) {
          sb.append(sep).append(e.getKey()).append('=').append(e.getValue());
          sep = ", ";
        }
        common.err().println(sb.append(" (see the log for each)"));
        common.err().flush();
      }
      if (data.out != null) {
        try (BufferedWriter w = Files.newBufferedWriter(data.out, StandardCharsets.UTF_8)) {
          for (ObjectNode line : perSample.lines(r)) {
            w.write(line.toString());
            w.newLine();
          }
        }
      }
      if (common.json) {
        ObjectNode o = common.object();
        o.put("task", task);
        r.metrics().forEach(o::put);
        o.put("n", r.n());
        o.put("skipped", r.skipped());
        common.emit(o);
      } else {
        common.emit(String.format(Locale.ROOT, "%s evaluation of %s on %s", task, common.model, data.ann));
        for (Map.Entry<String, Double> e : r.metrics().entrySet()) {
          common.emit(String.format(Locale.ROOT, "  %-12s %10.4f", e.getKey(), e.getValue()));
        }
        common.emit(String.format(Locale.ROOT, "  %-12s %10d", "n", r.n()));
        common.emit(String.format(Locale.ROOT, "  %-12s %10d", "skipped", r.skipped()));
      }
      return 0;
    });
  }

  /** Per-sample JSONL lines of a result. */
  @FunctionalInterface
  interface PerSample {
    List<ObjectNode> lines(EvalResult r);
  }

  /** Shows each stage's progress on stderr as a {@link Progress} line. */
  static EvalProgress progress(Common common) {
    return new EvalProgress() {
      private String stage;

      @Override
      public void update(String s, long done, long total) {
        if (!s.equals(stage)) {
          if (common.progress != null) {
            common.progress.finish();
          }
          stage = s;
          common.progress = new Progress(s, "items", total, common.err(), System.console() != null);
        }
        common.progress.update(done);
      }
    };
  }

  static ArrayNode ints(int[] v) {
    ArrayNode a = JSON.createArrayNode();
    for (int x : v) {
      a.add(x);
    }
    return a;
  }

  static ArrayNode strings(List<String> v) {
    ArrayNode a = JSON.createArrayNode();
    v.forEach(a::add);
    return a;
  }

  /** {@code blip eval retrieval}. */
  @Command(name = "retrieval", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Image-text retrieval as BLIP's evaluation(): ITC similarities, the top --k-test re-ranked by ITM + ITC.",
          "Reports txt_r1/5/10, img_r1/5/10, their means and r_mean in percent.",
          "--scoring itc ranks by the ITC similarity alone, with no ITM pass."})
  static final class Retrieval implements Callable<Integer> {
    @Mixin Common common;
    @Mixin Data data;

    @Option(names = "--k-test", defaultValue = "128", paramLabel = "K", description = "Candidates re-ranked by ITM per image and per text (default: ${DEFAULT-VALUE}; BLIP: 256 COCO, 128 Flickr30k).")
    int kTest;

    @Option(names = "--batch", defaultValue = "128", paramLabel = "N", description = "Images/texts per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--first-token", defaultValue = "enc", paramLabel = "enc|cls", description = "First token of the image-grounded encoder (default: enc, as BLIP).")
    String firstToken;

    @Option(names = "--scoring", defaultValue = "itm-itc", paramLabel = "itm-itc|itc",
        description = "itm-itc (default, BLIP's): the top --k-test re-ranked by ITM logit + ITC similarity; itc: the ITC similarity alone, no ITM pass.")
    String scoring;

    @Override
    public Integer call() {
      common.require(kTest >= 1, "--k-test must be >= 1, got " + kTest);
      common.require(scoring.equals("itm-itc") || scoring.equals("itc"), "--scoring must be itm-itc or itc, got " + scoring);
      common.require(batch >= 1, "--batch must be >= 1, got " + batch);
      common.require(firstToken.equals("enc") || firstToken.equals("cls"), "--first-token must be enc or cls, got " + firstToken);
      FirstToken ft = firstToken.equals("enc") ? FirstToken.ENC : FirstToken.CLS;
      return evaluate(common, data, "retrieval", () -> {
        try (ImageTextMatcher m = ImageTextMatcher.load(common.model, common.medConfig)) {
          return RetrievalEvaluation.evaluate(m, data.ann, data.imageRoot, new RetrievalEvaluation.Options(kTest, batch, ft,
              scoring.equals("itc") ? RetrievalEvaluation.Scoring.ITC : RetrievalEvaluation.Scoring.ITM_ITC), progress(common));
        }
      }, r -> {
        RetrievalEvaluation.Result res = (RetrievalEvaluation.Result) r;
        List<ObjectNode> lines = new ArrayList<>();
        for (RetrievalEvaluation.ImageRanking i : res.images()) {
          ObjectNode o = JSON.createObjectNode().put("kind", "image").put("key", i.key()).put("image", i.image()).put("rank", i.rank());
          o.set("top_texts", ints(i.top()));
          lines.add(o);
        }
        for (RetrievalEvaluation.TextRanking t : res.texts()) {
          ObjectNode o = JSON.createObjectNode().put("kind", "text").put("text", t.text()).put("image", t.image()).put("rank", t.rank());
          o.set("top_images", ints(t.top()));
          lines.add(o);
        }
        return lines;
      });
    }
  }

  /** {@code blip eval caption}. */
  @Command(name = "caption", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Captioning as BLIP's train_caption.py evaluate + coco_caption_eval: one caption per image against the record's captions.",
          "Reports Bleu_1..Bleu_4, ROUGE_L and CIDEr (pycocoevalcap, PTB tokenisation)."})
  static final class Caption implements Callable<Integer> {
    @Mixin Common common;
    @Mixin Data data;

    @Option(names = "--beam", defaultValue = "3", paramLabel = "N", description = "Beams (default: ${DEFAULT-VALUE}; 1 = greedy).")
    int beam;

    @Option(names = "--max-length", defaultValue = "20", paramLabel = "N", description = "Maximum tokens incl. [DEC] and the prompt (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--min-length", defaultValue = "5", paramLabel = "N", description = "Minimum tokens (default: ${DEFAULT-VALUE}).")
    int minLength;

    @Option(names = "--prompt", defaultValue = Captioner.DEFAULT_PROMPT, paramLabel = "TEXT", description = "Prompt (default: \"${DEFAULT-VALUE}\").")
    String prompt;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "N", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
      common.require(batch >= 1, "--batch must be >= 1, got " + batch);
      GenerationConfig g = common.generation(maxLength, minLength, beam, 1f, false, 1f, 0, 1f, 0, 1);
      return evaluate(common, data, "caption", () -> {
        try (Captioner c = Captioner.load(common.model, common.medConfig)) {
          return CaptionEvaluation.evaluate(c, data.ann, data.imageRoot, new Captioner.Options(g, prompt, batch), progress(common));
        }
      }, r -> ((CaptionEvaluation.Result) r).images().stream().map(i -> {
        ObjectNode o = JSON.createObjectNode().put("key", i.key()).put("image", i.image()).put("caption", i.caption());
        o.set("references", strings(i.references()));
        ObjectNode s = o.putObject("scores");
        i.scores().forEach(s::put);
        return o;
      }).toList());
    }
  }

  /** {@code blip eval vqa}. */
  @Command(name = "vqa", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"VQA as BLIP's train_vqa.py evaluation, scored with the official VQA accuracy against each record's answers.",
          "--mode generate: beam search (BLIP's default decoding); --mode rank: the best of the --k-test answers of the answer list",
          "whose first token is most probable, re-scored by the whole answer (BLIP's rank_answer).",
          "A record with fewer than 10 answers counts its list repeated to 10 (one answer: exact match). Reports accuracy in percent."})
  static final class Vqa implements Callable<Integer> {
    @Mixin Common common;
    @Mixin Data data;

    @Option(names = "--mode", defaultValue = "generate", paramLabel = "generate|rank", description = "Answering mode (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--answer-list", paramLabel = "FILE", description = "Rank mode's candidate answers: a JSON array of strings (default: answer_list.json beside --ann).")
    Path answerList;

    @Option(names = "--k-test", defaultValue = "" + VqaModel.DEFAULT_K_TEST, paramLabel = "K", description = "Rank mode: answers re-scored per question (default: ${DEFAULT-VALUE}, BLIP's).")
    int kTest;

    @Option(names = "--beam", defaultValue = "3", paramLabel = "N", description = "Beams (default: ${DEFAULT-VALUE}).")
    int beam;

    @Option(names = "--max-length", defaultValue = "10", paramLabel = "N", description = "Maximum answer tokens incl. [DEC] (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--min-length", defaultValue = "1", paramLabel = "N", description = "Minimum answer tokens (default: ${DEFAULT-VALUE}).")
    int minLength;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "N", description = "Questions per forward pass (default: ${DEFAULT-VALUE}, BLIP's; generated answers depend on the batch through padding).")
    int batch;

    @Override
    public Integer call() {
      common.require(batch >= 1, "--batch must be >= 1, got " + batch);
      common.require(mode.equals("generate") || mode.equals("rank"), "--mode must be generate or rank, got " + mode);
      common.require(kTest >= 1, "--k-test must be >= 1, got " + kTest);
      common.require(mode.equals("rank") || answerList == null, "--answer-list is only used with --mode rank");
      GenerationConfig g = common.generation(maxLength, minLength, beam, 1f, false, 1f, 0, 1f, 0, 1);
      return evaluate(common, data, "vqa", () -> {
        VqaEvaluation.Options options = new VqaEvaluation.Options(g, batch);
        if (mode.equals("rank")) {
          Path file = answerList;
          if (file == null) {
            Path dirOfAnn = data.ann.toAbsolutePath().getParent();
            file = dirOfAnn == null ? Path.of("answer_list.json") : dirOfAnn.resolve("answer_list.json");
            if (!Files.isRegularFile(file)) {
              throw new IllegalArgumentException("--mode rank needs --answer-list FILE (no answer_list.json beside " + data.ann + ")");
            }
          }
          options = new VqaEvaluation.Options(g, batch, VqaModel.readAnswerList(file), kTest); // read before the model loads
        }
        try (VqaModel v = VqaModel.load(common.model, common.medConfig)) {
          return VqaEvaluation.evaluate(v, data.ann, data.imageRoot, options, progress(common));
        }
      }, r -> ((VqaEvaluation.Result) r).questions().stream().map(q -> {
        ObjectNode o = JSON.createObjectNode().put("question_id", q.questionId()).put("image", q.image()).put("question", q.question())
            .put("answer", q.prediction());
        o.set("answers", strings(q.answers()));
        return o.put("accuracy", q.accuracy());
      }).toList());
    }
  }

  /** {@code blip eval nlvr}. */
  @Command(name = "nlvr", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"NLVR2 as BLIP's train_nlvr.py evaluate: the prediction (arg-max of the two logits) against the label.",
          "Reports accuracy in percent."})
  static final class Nlvr implements Callable<Integer> {
    @Mixin Common common;
    @Mixin Data data;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "N", description = "Pairs per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
      common.require(batch >= 1, "--batch must be >= 1, got " + batch);
      return evaluate(common, data, "nlvr", () -> {
        try (NlvrClassifier c = NlvrClassifier.load(common.model, common.medConfig)) {
          return NlvrEvaluation.evaluate(c, data.ann, data.imageRoot, batch, progress(common));
        }
      }, r -> ((NlvrEvaluation.Result) r).pairs().stream().map(p -> {
        ObjectNode o = JSON.createObjectNode().put("key", p.key());
        o.set("images", strings(p.images()));
        return o.put("sentence", p.sentence()).put("label", p.label()).put("prediction", p.prediction()).put("prob_true", p.probTrue());
      }).toList());
    }
  }
}
