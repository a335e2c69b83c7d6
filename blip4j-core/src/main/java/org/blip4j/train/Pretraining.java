package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.blip4j.data.transform.TrainTransform;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.nn.ParameterStore;
import org.blip4j.text.BatchEncoding;
import org.blip4j.text.BertTokenizer;
import org.blip4j.text.Padding;
import org.blip4j.text.PreCaption;

/**
 * One BLIP pre-training step: ITC + ITM + LM in a single forward/backward (the decoder shares all
 * but self-attention with the encoder, so ITM's and LM's gradients meet in the shared weights),
 * then AdamW, the momentum update and the queue update — {@code BLIP_Pretrain.forward} + the
 * optimiser step of {@code pretrain.py}.
 */
public final class Pretraining extends AdamWObjective<TrainTransform.Output> {
  /** Parameters that are state, not learnt by gradient: momentum copies, queues, the pointer. */
  private static final Pattern NOT_TRAINED = Pattern.compile("^(vision_model_m|text_encoder_m|vision_proj_m|text_proj_m)\\..*|^(image_queue|text_queue|queue_ptr)$");

  /** Losses of one step (scalars read back). */
  public record Losses(double itc, double itm, double lm, double gradNorm) {
    /** ITC + ITM + LM. */
    public double total() {
      return itc + itm + lm;
    }
  }

  /**
   * Pre-training settings (BLIP's pretrain.yaml: weight decay 0.05, momentum 0.995, alpha 0.4
   * ramped over 2 epochs, captions cut to 30 words and 30 tokens).
   *
   * @param weightDecay AdamW weight decay
   * @param momentum momentum-encoder coefficient m
   * @param maxGradNorm global gradient-norm clip (≤ 0: off)
   * @param alpha ITC distillation weight
   * @param alphaRampEpochs epochs over which alpha ramps up from 0 (2 in pretrain.py)
   * @param maxTextLength token limit of a caption ([CLS] and [SEP] included)
   * @param freeze parameters whose name matches are not trained (null: none)
   * @param lossWeights weights of ITC, ITM and LM in the total loss (BLIP: 1, 1, 1; a 0 removes that
   *     objective for ablations — its value is still computed and reported)
   * @param dropout BERT hidden and attention-probability dropout in the text encoder, its momentum copy
   *     and the decoder during training (BLIP's med_config: 0.1; 0: off)
   * @param itmNegatives how ITM's negatives are drawn (null: BLIP's hard negatives)
   */
  public record Options(float weightDecay, float momentum, float maxGradNorm, float alpha, int alphaRampEpochs, int maxTextLength, Pattern freeze,
      float[] lossWeights, float dropout, ITM.Mining itmNegatives) {
    public Options {
      itmNegatives = itmNegatives == null ? ITM.Mining.HARD : itmNegatives;
      lossWeights = lossWeights == null ? new float[] {1, 1, 1} : lossWeights.clone();
      if (lossWeights.length != 3) {
        throw new IllegalArgumentException("loss weights are (itc, itm, lm), got " + lossWeights.length + " values");
      }
    }

    /** BLIP's pre-training settings. */
    public static Options blip() {
      return new Options(0.05f, Momentum.DEFAULT, 0f, 0.4f, 2, 30, null, null, 0.1f, ITM.Mining.HARD);
    }

    /** A copy with other loss weights. */
    public Options withLossWeights(float itc, float itm, float lm) {
      return new Options(weightDecay, momentum, maxGradNorm, alpha, alphaRampEpochs, maxTextLength, freeze, new float[] {itc, itm, lm}, dropout, itmNegatives);
    }
  }

  private final BlipPretrainModel model;
  private final Options options;
  private final BertTokenizer tokenizer;
  private final Momentum momentum;
  private final float momentumCoefficient;
  private final float maxGradNorm;

  /**
   * @param weightDecay AdamW weight decay (0.05 in BLIP)
   * @param momentumCoefficient 0.995 in BLIP
   * @param maxGradNorm global gradient-norm clip (≤ 0: off)
   */
  public Pretraining(BlipPretrainModel model, NDManager parent, float weightDecay, float momentumCoefficient, float maxGradNorm) {
    this(model, parent, new Options(weightDecay, momentumCoefficient, maxGradNorm, 0.4f, 2, 30, null, null, 0f, null), BertTokenizer.bertBaseUncased());
  }

  /** Pre-training of {@code model} with {@code options}; captions are tokenised by {@code tokenizer}. */
  public Pretraining(BlipPretrainModel model, NDManager parent, Options options, BertTokenizer tokenizer) {
    super(model.parameters(), parent, options.weightDecay(), name -> !NOT_TRAINED.matcher(name).matches(), options.freeze(),
        List.of(model.textEncoder(), model.textEncoderMomentum(), model.textDecoder().bert()), options.dropout());
    this.model = model;
    this.options = options;
    this.tokenizer = tokenizer;
    this.momentum = new Momentum(model);
    momentum.declareTrainable(trainable());
    this.momentumCoefficient = options.momentum();
    this.maxGradNorm = options.maxGradNorm();
  }

  /** Copies the online parameters into the momentum encoders (start of training). */
  public void initMomentum() {
    momentum.copyParams();
  }

  @Override
  public void start() {
    initMomentum();
  }

  /**
   * One step on transformed samples: captions are cleaned ({@code pre_caption}, 30 words), tokenised
   * with padding to the longest and truncation at {@code maxTextLength}; alpha follows the ramp.
   */
  @Override
  public StepOutput step(List<TrainTransform.Output> items, StepContext ctx) {
    int b = items.size();
    List<String> captions = new ArrayList<>(b);
    for (TrainTransform.Output item : items) {
      captions.add(PreCaption.preCaption(item.caption(), 30));
    }
    BatchEncoding enc = tokenizer.encodeBatch(captions, Padding.LONGEST, true, options.maxTextLength());
    int len = enc.sequenceLength();
    float alpha = ITC.rampedAlpha(options.alpha(), ctx.step(), ctx.stepsPerEpoch() * options.alphaRampEpochs());
    try (NDManager m = model.parameters().manager().getParentManager().newSubManager()) {
      Losses l = step(TrainBatch.pixels(m, items), m.create(enc.flatInputIds(), new Shape(b, len)),
          m.create(enc.flatAttentionMask(), new Shape(b, len)), alpha, ctx.lr(), ctx.random());
      Map<String, Double> losses = new LinkedHashMap<>();
      losses.put("loss", l.total());
      losses.put("itc", l.itc());
      losses.put("itm", l.itm());
      losses.put("lm", l.lm());
      return new StepOutput(losses, l.gradNorm());
    }
  }

  /**
   * One step on a batch.
   *
   * @param pixels [B, 3, S, S]
   * @param ids [CLS]-first token ids [B, L] (BLIP: padding to max length 30)
   * @param mask attention mask [B, L]
   * @param alpha ITC distillation weight for this step
   * @param lr learning rate for this step
   * @param rnd hard-negative sampling
   */
  public Losses step(NDArray pixels, NDArray ids, NDArray mask, float alpha, float lr, SplittableRandom rnd) {
    NDManager m = pixels.getManager();
    clampTemperature();
    NDArray itc;
    NDArray itm;
    NDArray lm;
    ITC.Features f;
    try (Autograd gc = new Autograd()) {
      f = ITC.Features.of(model, momentum, momentumCoefficient, pixels, ids, mask);
      ITC.Result c = ITC.compute(model, f, alpha, null);
      itc = c.loss();
      itm = ITM.loss(model, firstToken(m, ids, 30523), mask, f.embeds(), ITM.sampleNegatives(options.itmNegatives(), c.simI2t(), c.simT2i(), ITM.Paired.byImageId(null), rnd));
      lm = LM.loss(model, firstToken(m, ids, 30522), mask, f.embeds());
      float[] w = options.lossWeights();
      gc.backward(itc.mul(ParameterStore.scalar(m, w[0])).add(itm.mul(ParameterStore.scalar(m, w[1]))).add(lm.mul(ParameterStore.scalar(m, w[2]))));
    }
    double norm = update(lr, maxGradNorm);
    momentum.enqueue(f.imageM(), f.textM());
    return new Losses(itc.getFloat(), itm.getFloat(), lm.getFloat(), norm);
  }

  private void clampTemperature() {
    clampTemperature(model);
  }

  /** Clamps the learnable temperature to [0.001, 0.5] in place (BLIP: {@code self.temp.clamp_(0.001, 0.5)} every step). */
  static void clampTemperature(BlipPretrainModel model) {
    try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray t = model.temperature().array();
      t.subi(t.sub(t.clip(0.001f, 0.5f))); // in place: the parameter keeps its identity and gradient flag
    }
  }

  private static NDArray firstToken(NDManager m, NDArray ids, long token) {
    long[] v = ids.toLongArray();
    long len = ids.getShape().get(1);
    for (int i = 0; i < v.length; i += (int) len) {
      v[i] = token;
    }
    return m.create(v, ids.getShape());
  }

}
