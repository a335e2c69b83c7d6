package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.nn.ParameterStore;

/**
 * Image-text contrastive loss with momentum distillation (BLIP §3.2, from ALBEF): unimodal image and
 * text features are compared with the momentum features of the batch AND of the queues; the targets
 * are {@code alpha·softmax(sim_m) + (1 − alpha)·onehot}, so the momentum model's similarities soften
 * the one-hot labels. Loss = mean of the image→text and text→image cross-entropies.
 */
public final class ITC {
  private ITC() {}

  /**
   * The ITC loss and its similarity matrices (the ITM negatives are mined from them).
   *
   * @param loss scalar
   * @param simI2t image→(batch texts, queued texts) [B, B + Q]
   * @param simT2i text→(batch images, queued images) [B, B + Q]
   */
  public record Result(NDArray loss, NDArray simI2t, NDArray simT2i) {}

  /**
   * What ITC compares, as both of BLIP's contrastive loops compute it (pretrain and retrieval): the
   * ViT states and the online features of the batch, then — after the momentum encoders took their
   * EMA step — the momentum features (no gradient).
   *
   * @param embeds ViT states [B, N, W] (with gradient; ITM and LM attend to them)
   * @param image normalised image features [B, D]
   * @param text normalised text features [B, D]
   * @param imageM momentum image features [B, D]
   * @param textM momentum text features [B, D]
   */
  public record Features(NDArray embeds, NDArray image, NDArray text, NDArray imageM, NDArray textM) {
    /** The features of a batch; call inside the step's gradient collector. */
    static Features of(BlipPretrainModel model, Momentum momentum, float coefficient, NDArray pixels, NDArray ids, NDArray mask) {
      NDArray embeds = model.imageEmbeds(pixels);
      NDArray image = model.imageFeatures(embeds);
      NDArray text = model.textFeatures(ids, mask);
      momentum.update(coefficient);
      // a frozen ViT is its own momentum copy: its states (no drop path) are the momentum ViT's
      boolean shared = momentum.sharesVision() && model.vision().dropPath() == 0;
      NDArray imageM = (shared ? model.imageFeaturesMomentum(embeds) : model.imageMomentum(pixels)[1]).stopGradient();
      NDArray textM = model.textFeaturesMomentum(ids, mask).stopGradient();
      return new Features(embeds, image, text, imageM, textM);
    }
  }

  /** {@link #compute(BlipPretrainModel, NDArray, NDArray, NDArray, NDArray, float, NDArray)} of {@code f}. */
  public static Result compute(BlipPretrainModel model, Features f, float alpha, NDArray positives) {
    return compute(model, f.image(), f.text(), f.imageM(), f.textM(), alpha, positives);
  }

  /**
   * @param imageFeat normalised image features [B, D] (with gradient)
   * @param textFeat normalised text features [B, D] (with gradient)
   * @param imageFeatM momentum image features [B, D] (no gradient)
   * @param textFeatM momentum text features [B, D] (no gradient)
   * @param alpha distillation weight (0.4 in BLIP, ramped up at the start of training)
   */
  public static Result compute(BlipPretrainModel model, NDArray imageFeat, NDArray textFeat, NDArray imageFeatM, NDArray textFeatM, float alpha) {
    return compute(model, imageFeat, textFeat, imageFeatM, textFeatM, alpha, null);
  }

  /**
   * As above with positives by image id ({@code blip_retrieval.py}): the hard targets of row i are
   * spread evenly over every batch or queue entry with the same id ({@code positives} [B, B + Q],
   * 1 = same image), instead of the diagonal. {@code positives} null: the diagonal.
   */
  public static Result compute(BlipPretrainModel model, NDArray imageFeat, NDArray textFeat, NDArray imageFeatM, NDArray textFeatM, float alpha,
      NDArray positives) {
    NDArray i2tM = model.similarityWithQueue(imageFeatM, textFeatM, model.textQueue()).stopGradient();
    NDArray t2iM = model.similarityWithQueue(textFeatM, imageFeatM, model.imageQueue()).stopGradient();
    NDArray hard = positives == null ? null : positives.div(positives.sum(new int[] {1}, true));
    NDArray i2tTargets = (hard == null ? BlipPretrainModel.softTargets(i2tM, alpha) : BlipPretrainModel.softTargets(i2tM, alpha, hard)).stopGradient();
    NDArray t2iTargets = (hard == null ? BlipPretrainModel.softTargets(t2iM, alpha) : BlipPretrainModel.softTargets(t2iM, alpha, hard)).stopGradient();
    NDArray simI2t = model.similarityWithQueue(imageFeat, textFeatM, model.textQueue());
    NDArray simT2i = model.similarityWithQueue(textFeat, imageFeatM, model.imageQueue());
    NDManager m = imageFeat.getManager();
    NDArray loss = BlipPretrainModel.contrastiveLoss(simI2t, i2tTargets)
        .add(BlipPretrainModel.contrastiveLoss(simT2i, t2iTargets))
        .mul(ParameterStore.scalar(m, 0.5f));
    return new Result(loss, simI2t, simT2i);
  }

  /**
   * BLIP's alpha ramp {@code alpha · min(1, step / rampSteps)}: over the first 2 epochs in
   * pretrain.py ({@code rampSteps = 2 · len(data_loader)}), over the first epoch in the fine-tuning
   * scripts.
   */
  public static float rampedAlpha(float alpha, long step, long rampSteps) {
    return (float) (alpha * Math.min(1.0, step / (double) Math.max(1, rampSteps)));
  }
}
