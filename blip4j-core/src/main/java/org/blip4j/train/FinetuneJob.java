package org.blip4j.train;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.Function;
import org.blip4j.checkpoint.ModelDirectory;
import org.blip4j.checkpoint.TaskModels;
import org.blip4j.data.BadReason;
import org.blip4j.data.BadSampleListener;
import org.blip4j.data.Sample;
import org.blip4j.data.loader.DataLoader;
import org.blip4j.data.shapes.ShapesProgressListener;
import org.blip4j.data.transform.NlvrPairTransform;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.BlipNlvrModel;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.BlipPretrainedModel;
import org.blip4j.model.BlipRetrievalModel;
import org.blip4j.model.BlipVqaModel;
import org.blip4j.text.BertTokenizer;

/**
 * {@code blip finetune}: a task model fine-tuned from the config's {@code init} checkpoint (a
 * pre-trained BlipForPretraining or a model of the task's own class) on the config's datasets,
 * through the same {@link Trainer} as pre-training (metrics, checkpoints, exact resume). The result is
 * saved in HF layout under {@code <out>/model/}. Tasks: {@code caption} (LM after the prompt, from a
 * BlipForPretraining or BlipForConditionalGeneration) and {@code retrieval} (ITC + ITM with positives
 * by image id, from a BlipForPretraining, whose momentum encoders and queues it needs; the result is a
 * BlipForImageTextRetrieval) and {@code vqa} ({@link VqaFinetuning} on VQA records — {@code question}
 * and its {@code answer} list — from a BlipForPretraining or BlipForQuestionAnswering; the result is a
 * BlipForQuestionAnswering) and
 * {@code nlvr} (cross-entropy of the twin-cross-attention classifier
 * over image pairs, from a BlipForPretraining — its cross-attention copied into both branches, merge
 * layers and head fresh — or a BlipForNlvr2; the datasets must be NLVR records; the result is a
 * BlipForNlvr2).
 */
public final class FinetuneJob {
  private FinetuneJob() {}

  /** The tasks that can be fine-tuned. */
  public static final List<String> TASKS = List.of("caption", "retrieval", "vqa", "nlvr");

  /** Runs (or, with {@code resume}, continues) the fine-tuning; returns the steps finished. */
  public static long run(String task, PretrainConfig config, Path configDir, Path out, boolean resume, BadSampleListener bad,
      TrainingListener listener, ShapesProgressListener shapesProgress) throws IOException {
    if (!TASKS.contains(task)) {
      throw new IllegalArgumentException("unknown fine-tuning task '" + task + "' (supported: " + String.join(", ", TASKS) + ")");
    }
    if (config.init() == null) {
      throw new IllegalArgumentException("fine-tuning needs 'init': the pre-trained model directory or .pth to start from");
    }
    Files.createDirectories(out);
    List<Sample> samples = PretrainJob.samples(config, configDir, out, bad, shapesProgress);
    Trainer trainer = new Trainer(new Trainer.Options(out, config.epochs(), config.maxSteps(), config.schedule(), config.seed(),
        config.logEvery(), config.checkpointEvery(), config.keepLast(), "BLIP " + task + " fine-tuning (" + samples.size() + " pairs)"));
    if (listener != null) {
      trainer.listener(listener);
    }
    try (NDManager root = NDManager.newBaseManager()) {
      BlipPretrainedModel source = ModelDirectory.load(configDir.resolve(config.init()), root);
      return switch (task) {
        case "caption" -> caption(config, samples, bad, source, root, trainer, resume, out);
        case "retrieval" -> retrieval(config, samples, bad, source, root, trainer, resume, out);
        case "vqa" -> vqa(config, samples, bad, source, root, trainer, resume, out);
        default -> nlvr(config, samples, bad, source, root, trainer, resume, out);
      };
    }
  }

  private static long caption(PretrainConfig config, List<Sample> samples, BadSampleListener bad, BlipPretrainedModel source, NDManager root,
      Trainer trainer, boolean resume, Path out) throws IOException {
    BlipCaptioningModel model = taskModel(source, s -> TaskModels.captioning(s, root));
    CaptionFinetuning.Options opts = new CaptionFinetuning.Options(config.weightDecay(), config.maxGradNorm(), CaptionFinetuning.PROMPT,
        40, config.dropout(), config.freezePattern());
    return trainAndSave(model, trainer, resume, out, () -> PretrainJob.loader(config, samples, bad), m -> {
      CaptionFinetuning o = new CaptionFinetuning(m, root, opts, BertTokenizer.bertBaseUncased());
      o.dropPath(m.vision(), config.dropPathOr(0f));
      return o;
    });
  }

  /**
   * The task model {@code convert} makes of {@code source}; {@code source} is closed unless it is
   * that model itself, also when the conversion fails.
   */
  private static <M extends BlipPretrainedModel> M taskModel(BlipPretrainedModel source, Function<BlipPretrainedModel, M> convert) {
    M model;
    try {
      model = convert.apply(source);
    } catch (RuntimeException e) {
      source.close();
      throw e;
    }
    if (model != source) {
      source.close();
    }
    return model;
  }

  /** Trains {@code model} with its objective on the loader, then saves it as {@code <out>/model/}; the model is closed at the end. */
  private static <M extends BlipPretrainedModel, T> long trainAndSave(M model, Trainer trainer, boolean resume, Path out,
      Supplier<DataLoader<T>> loader, Function<M, Objective<T>> objective) throws IOException {
    try (model) {
      long steps;
      try (DataLoader<T> l = loader.get(); Objective<T> o = objective.apply(model)) {
        steps = trainer.run(l, o, resume);
      } // closing the objective turns dropout off before the model is saved
      ModelDirectory.save(model, out.resolve("model"));
      return steps;
    }
  }

  private static long retrieval(PretrainConfig config, List<Sample> samples, BadSampleListener bad, BlipPretrainedModel source, NDManager root,
      Trainer trainer, boolean resume, Path out) throws IOException {
    if (!(source instanceof BlipPretrainModel model)) {
      String arch = source.architecture();
      source.close();
      throw new IllegalArgumentException("retrieval fine-tuning starts from a BlipForPretraining checkpoint (it needs the momentum encoders and queues); "
          + config.init() + " is a " + arch);
    }
    Map<String, Long> imageIds = new HashMap<>(); // equal image = equal id: its captions are positives of each other
    for (Sample s : samples) {
      imageIds.putIfAbsent(s.image().source(), (long) imageIds.size());
    }
    RetrievalFinetuning.Options opts = new RetrievalFinetuning.Options(config.weightDecay(), config.momentum(), config.maxGradNorm(), config.alpha(),
        35, config.dropout(), config.freezePattern(), config.itmMining());
    try (model) {
      long steps;
      try (DataLoader<RetrievalFinetuning.Item> loader = PretrainJob.loader(config, samples, bad,
          (sample, o) -> new RetrievalFinetuning.Item(o.pixels(), o.caption(), imageIds.get(sample.image().source())));
          RetrievalFinetuning objective = new RetrievalFinetuning(model, root, opts, BertTokenizer.bertBaseUncased(),
              config.itmExcludePairedCaptions() ? captionsOfImage(samples, imageIds) : null)) {
        objective.dropPath(model.vision(), config.dropPathOr(0f));
        steps = trainer.run(loader, objective, resume);
      } // closing the objective turns dropout off before the model is saved
      try (BlipRetrievalModel retrieval = TaskModels.retrieval(model, root)) {
        ModelDirectory.save(retrieval, out.resolve("model"));
      }
      return steps;
    }
  }

  /** Every caption of the samples, as written, by image id. */
  private static Map<Long, Set<String>> captionsOfImage(List<Sample> samples, Map<String, Long> imageIds) {
    Map<Long, Set<String>> out = new HashMap<>();
    for (Sample s : samples) {
      out.computeIfAbsent(imageIds.get(s.image().source()), k -> new HashSet<>()).addAll(s.captions());
    }
    return out;
  }

  private static long vqa(PretrainConfig config, List<Sample> all, BadSampleListener bad, BlipPretrainedModel source, NDManager root,
      Trainer trainer, boolean resume, Path out) throws IOException {
    List<Sample> samples = vqaSamples(all, bad);
    if (samples.isEmpty()) {
      source.close();
      throw new IllegalArgumentException("VQA fine-tuning needs VQA records {\"question\", \"image\", \"answer\": [...]} with at least one answer; "
          + "the configured datasets hold none (" + all.size() + " records read)");
    }
    BlipVqaModel model = taskModel(source, s -> TaskModels.vqa(s, root));
    VqaFinetuning.Options opts = new VqaFinetuning.Options(config.weightDecay(), config.maxGradNorm(), VqaFinetuning.Options.blip().maxQuestionLength(),
        config.dropout(), config.dropPathOr(VqaFinetuning.Options.blip().dropPath()), config.freezePattern());
    // the flip swaps left/right in the question and its answers together, so both stay true
    return trainAndSave(model, trainer, resume, out, () -> PretrainJob.loader(config, samples, bad, FinetuneJob::vqaText, (sample, o) -> {
      String[] parts = o.caption().split("\n", -1);
      return new VqaFinetuning.Item(o.pixels(), parts[0], List.of(parts).subList(1, parts.length), isVisualGenome(sample));
    }), m -> new VqaFinetuning(m, root, opts, BertTokenizer.bertBaseUncased()));
  }

  /** The VQA records with at least one answer; the others (test questions, non-VQA records) are reported to {@code bad}. */
  static List<Sample> vqaSamples(List<Sample> all, BadSampleListener bad) {
    List<Sample> kept = new ArrayList<>(all.size());
    for (Sample s : all) {
      if (answers(s).isEmpty()) {
        if (bad != null) {
          bad.onBadSample(s.key(), BadReason.MALFORMED_RECORD, s.meta().containsKey("question")
              ? "VQA record without answers cannot be trained on" : "not a VQA record (no \"question\"/\"answer\")");
        }
      } else {
        kept.add(s);
      }
    }
    return kept;
  }

  private static List<String> answers(Sample s) {
    if (!(s.meta().get("answer") instanceof List<?> list)) {
      return List.of();
    }
    return list.stream().filter(a -> a instanceof String).map(a -> (String) a).toList();
  }

  /** Whether a record is a Visual Genome QA pair ({@code "dataset": "vg"}, as BLIP's vg_qa.json). */
  static boolean isVisualGenome(Sample s) {
    return "vg".equals(s.meta().get("dataset"));
  }

  /** A VQA sample's question and answers, one per line (newlines inside them become spaces). */
  private static String vqaText(Sample s) {
    Object q = s.meta().get("question");
    StringBuilder sb = new StringBuilder(oneLine(q instanceof String str ? str : s.caption()));
    for (String a : answers(s)) {
      sb.append('\n').append(oneLine(a));
    }
    return sb.toString();
  }

  private static String oneLine(String t) {
    return t.replace('\n', ' ').replace('\r', ' ');
  }

  private static long nlvr(PretrainConfig config, List<Sample> samples, BadSampleListener bad, BlipPretrainedModel source, NDManager root,
      Trainer trainer, boolean resume, Path out) throws IOException {
    Sample notPair = samples.stream().filter(s -> !NlvrPairTransform.isNlvr(s)).findFirst().orElse(null);
    if (notPair != null) {
      source.close();
      throw new IllegalArgumentException("nlvr fine-tuning needs NLVR records ({\"images\": [two paths], \"sentence\", \"label\"});"
          + " sample " + notPair.key() + " (image " + notPair.image().source() + ") is not one");
    }
    BlipNlvrModel model = taskModel(source, s -> TaskModels.nlvr(s, config.seed(), root));
    NlvrFinetuning.Options opts = new NlvrFinetuning.Options(config.weightDecay(), config.maxGradNorm(), config.dropout(),
        config.dropPathOr(NlvrFinetuning.Options.blip().dropPath()), config.freezePattern());
    return trainAndSave(model, trainer, resume, out, () -> PretrainJob.nlvrLoader(config, samples, bad),
        m -> new NlvrFinetuning(m, root, opts, BertTokenizer.bertBaseUncased()));
  }
}
