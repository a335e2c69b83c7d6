package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.Similarity;
import org.blip4j.nn.Parameter;
import org.blip4j.nn.ParameterStore;
import org.blip4j.text.BatchEncoding;
import org.blip4j.text.BertTokenizer;
import org.blip4j.text.Padding;
import org.blip4j.text.PreCaption;

/**
 * Image-text retrieval fine-tuning ({@code BLIP_Retrieval.forward}, train_retrieval.py): ITC with
 * momentum distillation and queues where every pair sharing the image id is a positive (an
 * {@code idx_queue} beside the feature queues), plus ITM with hard negatives that never pick another
 * caption of the same image. It trains the retrieval parts of a {@link BlipPretrainModel} (ViT, text
 * encoder, projections, ITM head, temperature — the decoder is left alone); {@link org.blip4j.checkpoint.TaskModels#retrieval}
 * then extracts the HF BlipForImageTextRetrieval.
 */
public final class RetrievalFinetuning extends AdamWObjective<RetrievalFinetuning.Item> {
  /** A training pair with the id of its image (equal ids = the same image). */
  public record Item(float[] pixels, String caption, long imageId) {}

  private static final Pattern TRAINED = Pattern.compile("^(vision_model|text_encoder|vision_proj|text_proj|itm_head)\\..*|^temp$");

  /**
   * @param weightDecay AdamW weight decay (0.05)
   * @param momentum momentum coefficient (0.995)
   * @param maxGradNorm gradient clipping (≤ 0: off)
   * @param alpha distillation weight (0.4), ramped over the first epoch
   * @param maxTextLength caption token limit (35 in BLIP's retrieval)
   * @param dropout BERT dropout in the text encoders while training (0.1)
   * @param freeze parameters whose name matches are not trained (null: none)
   * @param itmNegatives how ITM's negatives are drawn (null: BLIP's hard negatives)
   */
  public record Options(float weightDecay, float momentum, float maxGradNorm, float alpha, int maxTextLength, float dropout, Pattern freeze,
      ITM.Mining itmNegatives) {
    public Options {
      itmNegatives = itmNegatives == null ? ITM.Mining.HARD : itmNegatives;
    }

    /** BLIP's retrieval settings. */
    public static Options blip() {
      return new Options(0.05f, Momentum.DEFAULT, 0f, 0.4f, 35, 0.1f, null, ITM.Mining.HARD);
    }
  }

  private final BlipPretrainModel model;
  private final Options options;
  private final BertTokenizer tokenizer;
  private final Momentum momentum;
  private final Parameter idxQueue;
  private final Map<Long, Set<String>> captionsOfImage;

  /** Fine-tuning of {@code model}'s retrieval parts; optimiser state lives under {@code parent}. */
  public RetrievalFinetuning(BlipPretrainModel model, NDManager parent, Options options, BertTokenizer tokenizer) {
    this(model, parent, options, tokenizer, null);
  }

  /**
   * @param captionsOfImage every caption (as written) the training data pairs with each image id: ITM
   *     never draws one of them as that image's negative, even when another image of the batch brought it
   *     (null: only captions of the same image id are excluded, as BLIP)
   */
  public RetrievalFinetuning(BlipPretrainModel model, NDManager parent, Options options, BertTokenizer tokenizer, Map<Long, Set<String>> captionsOfImage) {
    super(model.parameters(), parent, options.weightDecay(), name -> TRAINED.matcher(name).matches(), options.freeze(), List.of(model.textEncoder(), model.textEncoderMomentum()), options.dropout());
    this.model = model;
    this.options = options;
    this.tokenizer = tokenizer;
    this.captionsOfImage = captionsOfImage == null ? null : compared(captionsOfImage);
    this.momentum = new Momentum(model);
    momentum.declareTrainable(trainable());
    ParameterStore store = model.parameters();
    long q = model.imageQueue().shape().get(1);
    this.idxQueue = store.byName().containsKey("idx_queue") ? store.get("idx_queue") : store.create("idx_queue", Parameter.Init.ZEROS, 1, q);
    if (!idxQueue.isSet()) {
      long[] none = new long[(int) q];
      Arrays.fill(none, -100); // BLIP: torch.full((1, queue_size), -100)
      idxQueue.set(store.manager().create(none, new Shape(1, q)));
    }
  }

  /** Fresh queues of random unit columns and ids -100, momentum copies equal to the online encoders (BLIP_Retrieval.__init__). */
  @Override
  public void start() {
    momentum.copyParams();
  }

  @Override
  public StepOutput step(List<Item> items, StepContext ctx) {
    int b = items.size();
    List<String> captions = new ArrayList<>(b);
    long[] ids = new long[b];
    List<float[]> images = new ArrayList<>(b);
    for (int i = 0; i < b; i++) {
      captions.add(compared(items.get(i).caption()));
      ids[i] = items.get(i).imageId();
      images.add(items.get(i).pixels());
    }
    BatchEncoding enc = tokenizer.encodeBatch(captions, Padding.LONGEST, true, options.maxTextLength());
    Shape shape = new Shape(b, enc.sequenceLength());
    float alpha = ITC.rampedAlpha(options.alpha(), ctx.step(), ctx.stepsPerEpoch());
    Pretraining.clampTemperature(model);
    try (NDManager m = model.parameters().manager().getParentManager().newSubManager()) {
      NDArray pixels = TrainBatch.stack(m, images);
      NDArray textIds = m.create(enc.flatInputIds(), shape);
      NDArray mask = m.create(enc.flatAttentionMask(), shape);
      NDArray encIds = m.create(enc.withFirstToken(tokenizer.encId()).flatInputIds(), shape);
      long[] queued = idxQueue.array().toType(DataType.INT64, false).toLongArray();
      float[] pos = new float[b * (b + queued.length)];
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < b + queued.length; j++) {
          pos[i * (b + queued.length) + j] = (j < b ? ids[j] : queued[j - b]) == ids[i] ? 1f : 0f;
        }
      }
      NDArray positives = m.create(pos, new Shape(b, b + queued.length));
      NDArray itc;
      NDArray itm;
      ITC.Features f;
      try (Autograd gc = new Autograd()) {
        f = ITC.Features.of(model, momentum, options.momentum(), pixels, textIds, mask);
        itc = ITC.compute(model, f, alpha, positives).loss();
        // negatives from the online in-batch similarities (blip_retrieval.py), or uniform with itm_negatives: random
        NDArray temp = model.temperature().array().stopGradient();
        NDArray simI2t = Similarity.cosine(f.image().stopGradient(), f.text().stopGradient()).div(temp);
        itm = ITM.loss(model, encIds, mask, f.embeds(), ITM.sampleNegatives(options.itmNegatives(), simI2t, simI2t.transpose(),
            captionsOfImage == null ? ITM.Paired.byImageId(ids) : ITM.Paired.byImageIdAndCaption(ids, captions, captionsOfImage), ctx.random()));
        gc.backward(itc.add(itm));
      }
      double norm = update(ctx.lr(), options.maxGradNorm());
      enqueueIds(ids);
      momentum.enqueue(f.imageM(), f.textM());
      Map<String, Double> losses = new LinkedHashMap<>();
      double c = itc.getFloat();
      double t = itm.getFloat();
      losses.put("loss", c + t);
      losses.put("itc", c);
      losses.put("itm", t);
      return new StepOutput(losses, norm);
    }
  }

  /** A caption as the step encodes and compares it: BLIP's {@code pre_caption} to 30 words. */
  private static String compared(String caption) {
    return PreCaption.preCaption(caption, 30);
  }

  private static Map<Long, Set<String>> compared(Map<Long, Set<String>> captionsOfImage) {
    Map<Long, Set<String>> out = new HashMap<>();
    captionsOfImage.forEach((id, texts) -> out.put(id, texts.stream().map(RetrievalFinetuning::compared).collect(Collectors.toSet())));
    return out;
  }

  private void enqueueIds(long[] ids) {
    try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
      scope.suppressNotUsedWarning();
      long ptr = model.queuePointer().array().toType(DataType.INT64, false).toLongArray()[0];
      NDArray q = idxQueue.array();
      q.set(new NDIndex(":, " + ptr + ":" + (ptr + ids.length)), q.getManager().create(ids, new Shape(1, ids.length)).toType(q.getDataType(), false));
    }
  }

}
