package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.blip4j.data.transform.TrainTransform;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.TextDecoder;
import org.blip4j.text.BatchEncoding;
import org.blip4j.text.BertTokenizer;
import org.blip4j.text.Padding;
import org.blip4j.text.PreCaption;

/**
 * Captioning fine-tuning ({@code BLIP_Decoder.forward}, train_caption.py): the caption is
 * {@code prompt + pre_caption(caption, 30 words)}, tokenised with padding to the longest and at most
 * 40 tokens, {@code [DEC]} replaces {@code [CLS]}; the LM loss (label smoothing 0.1) ignores padding
 * and the prompt's tokens, so the model learns to continue "a picture of ".
 */
public final class CaptionFinetuning extends AdamWObjective<TrainTransform.Output> {
  /** BLIP's captioning prompt. */
  public static final String PROMPT = "a picture of ";

  /**
   * @param weightDecay AdamW weight decay (0.05)
   * @param maxGradNorm gradient clipping (≤ 0: off)
   * @param prompt text every caption starts with; its tokens carry no loss
   * @param maxTextLength token limit ([DEC], prompt and [SEP] included; 40 in BLIP)
   * @param dropout BERT dropout in the decoder while training (0.1 in BLIP)
   * @param freeze parameters whose name matches are not trained (null: none)
   */
  public record Options(float weightDecay, float maxGradNorm, String prompt, int maxTextLength, float dropout, Pattern freeze) {
    /** BLIP's captioning settings. */
    public static Options blip() {
      return new Options(0.05f, 0f, PROMPT, 40, 0.1f, null);
    }
  }

  private final BlipCaptioningModel model;
  private final Options options;
  private final BertTokenizer tokenizer;
  private final int promptLength;

  /** Fine-tuning of {@code model}; optimiser state lives under {@code parent}. */
  public CaptionFinetuning(BlipCaptioningModel model, NDManager parent, Options options, BertTokenizer tokenizer) {
    super(model.parameters(), parent, options.weightDecay(), name -> true, options.freeze(), List.of(model.textDecoder().bert()), options.dropout());
    this.model = model;
    this.options = options;
    this.tokenizer = tokenizer;
    // BLIP: len(tokenizer(prompt).input_ids) - 1 — [CLS]/[DEC] plus the prompt's word pieces
    this.promptLength = tokenizer.encode(options.prompt()).inputIds().length - 1;
  }

  /** Tokens at the start of every caption that carry no loss ([DEC] and the prompt). */
  public int promptLength() {
    return promptLength;
  }

  /** The decoder input for {@code captions}: ids ([DEC] first) and attention mask. */
  public BatchEncoding encode(List<String> captions) {
    List<String> texts = new ArrayList<>(captions.size());
    for (String c : captions) {
      texts.add(options.prompt() + PreCaption.preCaption(c, 30));
    }
    return tokenizer.encodeBatch(texts, Padding.LONGEST, true, options.maxTextLength()).withFirstToken(tokenizer.decId());
  }

  /** Labels for {@link #encode}'s output: the ids, with padding and the first {@link #promptLength()} positions at -100. */
  public long[] labels(BatchEncoding enc) {
    long[] ids = enc.flatInputIds();
    long[] mask = enc.flatAttentionMask();
    int len = enc.sequenceLength();
    long[] labels = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      labels[i] = mask[i] == 0 || i % len < promptLength ? TextDecoder.IGNORE_INDEX : ids[i];
    }
    return labels;
  }

  @Override
  public void start() {}

  @Override
  public StepOutput step(List<TrainTransform.Output> items, StepContext ctx) {
    List<String> captions = new ArrayList<>(items.size());
    items.forEach(i -> captions.add(i.caption()));
    BatchEncoding enc = encode(captions);
    Shape shape = new Shape(items.size(), enc.sequenceLength());
    try (NDManager m = model.parameters().manager().getParentManager().newSubManager()) {
      NDArray ids = m.create(enc.flatInputIds(), shape);
      NDArray mask = m.create(enc.flatAttentionMask(), shape);
      NDArray labels = m.create(labels(enc), shape);
      NDArray loss;
      try (Autograd gc = new Autograd()) {
        NDArray embeds = model.imageEmbeds(TrainBatch.pixels(m, items));
        TextDecoder decoder = model.textDecoder();
        loss = decoder.labelledLmLoss(ids, mask, decoder.bert().crossContext(embeds, null), labels, TextDecoder.LABEL_SMOOTHING);
        gc.backward(loss);
      }
      double norm = update(ctx.lr(), options.maxGradNorm());
      double lm = loss.getFloat();
      return new StepOutput(Map.of("loss", lm), norm);
    }
  }

}
