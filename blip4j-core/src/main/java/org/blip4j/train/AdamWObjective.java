package org.blip4j.train;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.blip4j.model.TextTransformer;
import org.blip4j.nn.Parameter;
import org.blip4j.nn.ParameterStore;
import org.blip4j.vision.VisionTransformer;

/**
 * What the model objectives share: the model's parameter store, one AdamW over a selection of its
 * parameters (minus the frozen ones), BERT dropout in the text transformers they train and, where
 * the task asks for it, stochastic depth in the ViT — on while training, switched off by
 * {@link #close()} so the model can be evaluated or saved afterwards.
 */
abstract class AdamWObjective<T> implements Objective<T> {
  private final ParameterStore store;
  private final AdamW optimizer;
  private final List<Parameter> trainable;
  private final List<TextTransformer> dropoutIn;
  private final List<VisionTransformer> dropPathIn = new ArrayList<>();

  /**
   * @param include which parameters (by first name) are trained
   * @param freeze parameters matching it are not trained (null: none)
   * @param dropoutIn the text transformers that train with dropout {@code dropout}
   */
  AdamWObjective(ParameterStore store, NDManager parent, float weightDecay, Predicate<String> include, Pattern freeze,
      List<TextTransformer> dropoutIn, float dropout) {
    this.store = store;
    this.optimizer = new AdamW(parent, weightDecay);
    this.trainable = TrainableParameters.select(store, include, freeze);
    this.dropoutIn = List.copyOf(dropoutIn);
    setDropout(dropout);
  }

  /** One AdamW update of the trained parameters; returns the gradient norm before clipping. */
  final double update(float lr, float maxGradNorm) {
    return optimizer.update(trainable, lr, maxGradNorm);
  }

  /** Trains {@code vit} with stochastic depth {@code rate} ({@link VisionTransformer#setDropPath}) until {@link #close()}. */
  final void dropPath(VisionTransformer vit, float rate) {
    vit.setDropPath(rate);
    dropPathIn.add(vit);
  }

  private void setDropout(float p) {
    for (TextTransformer t : dropoutIn) {
      t.setDropout(p, p);
    }
  }

  @Override
  public final ParameterStore parameters() {
    return store;
  }

  @Override
  public final AdamW optimizer() {
    return optimizer;
  }

  @Override
  public final List<Parameter> trainable() {
    return trainable;
  }

  @Override
  public void close() {
    setDropout(0);
    dropPathIn.forEach(vit -> vit.setDropPath(0));
    optimizer.close();
  }
}
