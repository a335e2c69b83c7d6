package org.blip4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.nn.Parameter;

/**
 * One BLIP pre-training step: ITC + ITM + LM in a single forward/backward (the decoder shares all
 * but self-attention with the encoder, so ITM's and LM's gradients meet in the shared weights),
 * then AdamW, the momentum update and the queue update — {@code BLIP_Pretrain.forward} + the
 * optimiser step of {@code pretrain.py}.
 */
public final class Pretraining implements AutoCloseable {
  /** Parameters that are state, not learnt by gradient: momentum copies, queues, the pointer. */
  private static final Pattern NOT_TRAINED = Pattern.compile("^(vision_model_m|text_encoder_m|vision_proj_m|text_proj_m)\\..*|^(image_queue|text_queue|queue_ptr)$");

  /** Losses of one step (scalars read back). */
  public record Losses(double itc, double itm, double lm, double gradNorm) {
    /** ITC + ITM + LM. */
    public double total() {
      return itc + itm + lm;
    }
  }

  private final BlipPretrainModel model;
  private final AdamW optimizer;
  private final Momentum momentum;
  private final List<Parameter> trainable = new ArrayList<>();
  private final float momentumCoefficient;
  private final float maxGradNorm;

  /**
   * @param weightDecay AdamW weight decay (0.05 in BLIP)
   * @param momentumCoefficient 0.995 in BLIP
   * @param maxGradNorm global gradient-norm clip (≤ 0: off)
   */
  public Pretraining(BlipPretrainModel model, NDManager parent, float weightDecay, float momentumCoefficient, float maxGradNorm) {
    this.model = model;
    this.optimizer = new AdamW(parent, weightDecay);
    this.momentum = new Momentum(model);
    this.momentumCoefficient = momentumCoefficient;
    this.maxGradNorm = maxGradNorm;
    model.parameters().distinct().forEach((p, names) -> {
      if (!NOT_TRAINED.matcher(names.get(0)).matches()) {
        trainable.add(p);
        p.array().setRequiresGradient(true);
      }
    });
  }

  /** Copies the online parameters into the momentum encoders (start of training). */
  public void initMomentum() {
    momentum.copyParams();
  }

  /** The optimiser (state for checkpoints). */
  public AdamW optimizer() {
    return optimizer;
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
    NDArray imageFeatM;
    NDArray textFeatM;
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray embeds = model.imageEmbeds(pixels);
      NDArray imageFeat = model.imageFeatures(embeds);
      NDArray textFeat = model.textFeatures(ids, mask);
      momentum.update(momentumCoefficient);
      imageFeatM = model.imageMomentum(pixels)[1].stopGradient();
      textFeatM = model.textFeaturesMomentum(ids, mask).stopGradient();
      ITC.Result c = ITC.compute(model, imageFeat, textFeat, imageFeatM, textFeatM, alpha);
      itc = c.loss();
      itm = ITM.loss(model, firstToken(m, ids, 30523), mask, embeds, ITM.sampleNegatives(c.simI2t(), c.simT2i(), rnd));
      lm = LM.loss(model, firstToken(m, ids, 30522), mask, embeds);
      gc.backward(itc.add(itm).add(lm));
    }
    double norm = optimizer.update(trainable, lr, maxGradNorm);
    momentum.enqueue(imageFeatM, textFeatM);
    return new Losses(itc.getFloat(), itm.getFloat(), lm.getFloat(), norm);
  }

  private void clampTemperature() {
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

  @Override
  public void close() {
    optimizer.close();
  }
}
