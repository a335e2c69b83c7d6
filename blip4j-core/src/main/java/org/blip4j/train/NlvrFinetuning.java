package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.blip4j.data.transform.NlvrPairTransform;
import org.blip4j.model.BlipNlvrModel;
import org.blip4j.text.BatchEncoding;
import org.blip4j.text.BertTokenizer;
import org.blip4j.text.Padding;
import org.blip4j.text.PreCaption;

/**
 * NLVR2 fine-tuning ({@code BLIP_NLVR.forward} with {@code train=True}, train_nlvr.py): the images 0
 * of the batch followed by the images 1 through one ViT pass, split in two; the sentences
 * {@code pre_caption}ed (40 words), padded to the longest, {@code [ENC]} first; the twin
 * cross-attention encoder attends to image 0 and image 1; {@code cls_head} on the first token;
 * cross-entropy against the label (index 1 = true). Every parameter is trained, as train_nlvr.py
 * optimises {@code model.parameters()} (minus {@code freeze}).
 */
public final class NlvrFinetuning extends AdamWObjective<NlvrPairTransform.Output> {
  /**
   * @param weightDecay AdamW weight decay (0.05)
   * @param maxGradNorm gradient clipping (≤ 0: off)
   * @param dropout BERT dropout in the text encoder while training (0.1 as BLIP's med_config)
   * @param dropPath the ViT's stochastic-depth rate while training (0.1, {@code blip_nlvr.py})
   * @param freeze parameters whose name matches are not trained (null: none)
   */
  public record Options(float weightDecay, float maxGradNorm, float dropout, float dropPath, Pattern freeze) {
    /** BLIP's NLVR settings. */
    public static Options blip() {
      return new Options(0.05f, 0f, 0.1f, 0.1f, null);
    }
  }

  private final BlipNlvrModel model;
  private final Options options;
  private final BertTokenizer tokenizer;

  /** Fine-tuning of {@code model}; optimiser state lives under {@code parent}. */
  public NlvrFinetuning(BlipNlvrModel model, NDManager parent, Options options, BertTokenizer tokenizer) {
    super(model.parameters(), parent, options.weightDecay(), name -> true, options.freeze(), List.of(model.textEncoder()), options.dropout());
    dropPath(model.vision(), options.dropPath());
    this.model = model;
    this.options = options;
    this.tokenizer = tokenizer;
  }

  /** The encoder input for {@code sentences}: {@code pre_caption}ed, padded to the longest, {@code [ENC]} first (no truncation, as the original). */
  public BatchEncoding encode(List<String> sentences) {
    List<String> texts = sentences.stream().map(s -> PreCaption.preCaption(s, NlvrPairTransform.MAX_WORDS)).toList();
    return tokenizer.encodeBatch(texts, Padding.LONGEST, true, model.config().text().maxPositionEmbeddings()).withFirstToken(tokenizer.encId());
  }

  @Override
  public void start() {}

  @Override
  public StepOutput step(List<NlvrPairTransform.Output> items, StepContext ctx) {
    int b = items.size();
    List<float[]> images = new ArrayList<>(2 * b);
    List<String> sentences = new ArrayList<>(b);
    long[] labels = new long[b];
    items.forEach(i -> images.add(i.image0()));
    items.forEach(i -> images.add(i.image1()));
    for (int i = 0; i < b; i++) {
      sentences.add(items.get(i).sentence());
      labels[i] = items.get(i).label() ? 1 : 0;
    }
    BatchEncoding enc = encode(sentences);
    Shape shape = new Shape(b, enc.sequenceLength());
    try (NDManager m = model.parameters().manager().getParentManager().newSubManager()) {
      NDArray pixels = TrainBatch.stack(m, images); // [2B, 3, S, S]: images 0, then images 1
      NDArray ids = m.create(enc.flatInputIds(), shape);
      NDArray mask = m.create(enc.flatAttentionMask(), shape);
      NDArray target = m.create(labels).oneHot(2);
      NDArray loss;
      try (Autograd gc = new Autograd()) {
        NDArray embeds = model.imageEmbeds(pixels);
        NDArray embeds0 = embeds.get(new NDIndex("0:" + b));
        NDArray embeds1 = embeds.get(new NDIndex(b + ":"));
        NDArray logits = model.logits(model.textStates(embeds0, embeds1, ids, mask)); // [B, 2]
        loss = logits.logSoftmax(-1).mul(target).sum(new int[] {1}).mean().neg();
        gc.backward(loss);
      }
      double norm = update(ctx.lr(), options.maxGradNorm());
      return new StepOutput(Map.of("loss", (double) loss.getFloat()), norm);
    }
  }

}
