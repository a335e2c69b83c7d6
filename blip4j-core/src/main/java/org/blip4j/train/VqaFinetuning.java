package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.blip4j.model.BlipVqaModel;
import org.blip4j.model.CrossAttentionContext;
import org.blip4j.model.TextDecoder;
import org.blip4j.nn.ParameterStore;
import org.blip4j.text.BatchEncoding;
import org.blip4j.text.BertTokenizer;
import org.blip4j.text.Padding;
import org.blip4j.text.PreCaption;

/**
 * VQA fine-tuning ({@code BLIP_VQA.forward(train=True)}, train_vqa.py): the image-grounded question
 * encoder reads {@code pre_question(question)} with {@code [ENC]} first (at most 35 tokens); the
 * answer decoder reads each distinct answer ({@code [DEC]} first, padding to the longest answer of the
 * batch, padding → -100) cross-attending to its question's states (question padding masked); the
 * loss is {@code sum(weight × per-answer loss) / batch size}, where the per-answer loss is the
 * label-smoothed (0.1) LM loss summed over the answer's tokens and an answer's weight is its share
 * of the question's answers, or 0.2 for a Visual Genome answer ({@code vqa_dataset.py}). As train_vqa.py, every parameter of the
 * {@link BlipVqaModel} (ViT, question encoder, answer decoder) is trained.
 */
public final class VqaFinetuning extends AdamWObjective<VqaFinetuning.Item> {
  /**
   * A training question about an image, with every given answer (repeats allowed: they weigh more);
   * {@code visualGenome} marks a Visual Genome QA pair ({@code "dataset": "vg"}), whose answer weighs
   * {@link WeightedAnswers#VISUAL_GENOME_WEIGHT}.
   */
  public record Item(float[] pixels, String question, List<String> answers, boolean visualGenome) {
    /** Validates. */
    public Item {
      if (answers == null || answers.isEmpty()) {
        throw new IllegalArgumentException("a VQA training item needs at least one answer (question \"" + question + "\")");
      }
      answers = List.copyOf(answers);
    }

    /** A VQA (not Visual Genome) item. */
    public Item(float[] pixels, String question, List<String> answers) {
      this(pixels, question, answers, false);
    }
  }

  /** The distinct answers of a question in first-seen order and their weights (share among the given answers). */
  public record WeightedAnswers(List<String> answers, float[] weights) {
    /** The weight of a Visual Genome answer ({@code vqa_dataset.py}: VG pairs count a fifth of a VQA question). */
    public static final float VISUAL_GENOME_WEIGHT = 0.2f;

    /** The answers of {@code item}: VQA's shares, or {@link #VISUAL_GENOME_WEIGHT} for each distinct Visual Genome answer. */
    public static WeightedAnswers of(Item item) {
      if (!item.visualGenome()) {
        return of(item.answers());
      }
      List<String> distinct = item.answers().stream().distinct().toList();
      float[] w = new float[distinct.size()];
      Arrays.fill(w, VISUAL_GENOME_WEIGHT);
      return new WeightedAnswers(distinct, w);
    }

    /** {@code vqa_dataset.py}: weight of an answer = (times given) / (answers given). */
    public static WeightedAnswers of(List<String> given) {
      Map<String, Integer> counts = new LinkedHashMap<>();
      given.forEach(a -> counts.merge(a, 1, Integer::sum));
      float[] w = new float[counts.size()];
      int i = 0;
      for (int c : counts.values()) {
        w[i++] = (float) ((double) c / given.size());
      }
      return new WeightedAnswers(List.copyOf(counts.keySet()), w);
    }
  }

  /**
   * @param weightDecay AdamW weight decay (0.05)
   * @param maxGradNorm gradient clipping (≤ 0: off)
   * @param maxQuestionLength question token limit ([ENC] and [SEP] included; 35 in BLIP)
   * @param dropout BERT dropout in the question encoder and answer decoder while training (0.1)
   * @param dropPath the ViT's stochastic-depth rate while training (0.1, {@code blip_vqa.py})
   * @param freeze parameters whose name matches are not trained (null: none)
   */
  public record Options(float weightDecay, float maxGradNorm, int maxQuestionLength, float dropout, float dropPath, Pattern freeze) {
    /** BLIP's VQA settings. */
    public static Options blip() {
      return new Options(0.05f, 0f, 35, 0.1f, 0.1f, null);
    }
  }

  /** The tensors' Java side of one batch: questions, answers and which question each answer belongs to. */
  record Encoded(BatchEncoding questions, BatchEncoding answers, long[] labels, long[] questionOfAnswer, float[] weights) {}

  private final BlipVqaModel model;
  private final Options options;
  private final BertTokenizer tokenizer;

  /** Fine-tuning of every parameter of {@code model} (minus frozen ones); optimiser state lives under {@code parent}. */
  public VqaFinetuning(BlipVqaModel model, NDManager parent, Options options, BertTokenizer tokenizer) {
    super(model.parameters(), parent, options.weightDecay(), name -> true, options.freeze(), List.of(model.textEncoder(), model.textDecoder().bert()), options.dropout());
    dropPath(model.vision(), options.dropPath());
    this.model = model;
    this.options = options;
    this.tokenizer = tokenizer;
  }

  /** Tokenises a batch: {@code [ENC]}-first questions, {@code [DEC]}-first answers, their labels and weights. */
  Encoded encode(List<Item> items) {
    List<String> questions = new ArrayList<>(items.size());
    List<String> answers = new ArrayList<>();
    List<Long> owner = new ArrayList<>();
    List<Float> weights = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      questions.add(PreCaption.preQuestion(items.get(i).question()));
      WeightedAnswers wa = WeightedAnswers.of(items.get(i));
      for (int j = 0; j < wa.answers().size(); j++) {
        answers.add(wa.answers().get(j));
        owner.add((long) i);
        weights.add(wa.weights()[j]);
      }
    }
    BatchEncoding q = tokenizer.encodeBatch(questions, Padding.LONGEST, true, options.maxQuestionLength()).withFirstToken(tokenizer.encId());
    // BLIP: answers padded to the longest, not truncated; targets = ids with [PAD] → -100
    BatchEncoding a = tokenizer.encodeBatch(answers, Padding.LONGEST, false, 0).withFirstToken(tokenizer.decId());
    long[] ids = a.flatInputIds();
    long[] labels = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      labels[i] = ids[i] == tokenizer.padId() ? TextDecoder.IGNORE_INDEX : ids[i];
    }
    float[] w = new float[weights.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = weights.get(i);
    }
    return new Encoded(q, a, labels, owner.stream().mapToLong(Long::longValue).toArray(), w);
  }

  /**
   * The VQA loss of {@code items} under the current parameters: {@code sum(weight × answer loss) /
   * batch size}, built in {@code m} (call inside a {@link Autograd} to train).
   */
  NDArray loss(NDManager m, List<Item> items) {
    Encoded e = encode(items);
    Shape qs = new Shape(items.size(), e.questions().sequenceLength());
    Shape as = new Shape(e.questionOfAnswer().length, e.answers().sequenceLength());
    NDArray qMask = m.create(e.questions().flatAttentionMask(), qs);
    NDArray embeds = model.imageEmbeds(TrainBatch.stack(m, items.stream().map(Item::pixels).toList()));
    NDArray states = model.questionStates(embeds, m.create(e.questions().flatInputIds(), qs), qMask);
    NDArray owner = m.create(e.questionOfAnswer());
    // each answer row cross-attends to its own question's states, question padding masked
    CrossAttentionContext cross = model.textDecoder().bert().crossContext(states.get(owner), qMask.get(owner));
    NDArray perAnswer = model.textDecoder().labelledSequenceLoss(m.create(e.answers().flatInputIds(), as), m.create(e.answers().flatAttentionMask(), as),
        cross, m.create(e.labels(), as), TextDecoder.LABEL_SMOOTHING);
    return perAnswer.mul(m.create(e.weights())).sum().div(ParameterStore.scalar(m, items.size()));
  }

  @Override
  public void start() {}

  @Override
  public StepOutput step(List<Item> items, StepContext ctx) {
    try (NDManager m = model.parameters().manager().getParentManager().newSubManager()) {
      NDArray loss;
      try (Autograd gc = new Autograd()) {
        loss = loss(m, items);
        gc.backward(loss);
      }
      double norm = update(ctx.lr(), options.maxGradNorm());
      return new StepOutput(Map.of("loss", (double) loss.getFloat()), norm);
    }
  }

}
