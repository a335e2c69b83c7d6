package org.blip4j.model;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;
import org.blip4j.nn.Activations;
import org.blip4j.nn.LayerNorm;
import org.blip4j.nn.Linear;
import org.blip4j.nn.Parameter;
import org.blip4j.nn.ParameterStore;

/**
 * The decoder's language-modelling head ({@code cls.predictions}): dense → act → LayerNorm → vocab
 * projection. The projection bias is ONE parameter registered as both {@code cls.predictions.bias}
 * and {@code cls.predictions.decoder.bias} (HF ties them; {@code save_pretrained} stores one).
 */
public final class LmHead {
  private final Linear transform;
  private final LayerNorm transformLayerNorm;
  private final Linear decoder;
  private final UnaryOperator<NDArray> act;

  /** Builds the head under {@code prefix} (e.g. {@code text_decoder.cls.predictions}). */
  public LmHead(TextConfig c, ParameterStore store, String prefix) {
    int h = c.hiddenSize();
    transform = new Linear(store, prefix + ".transform.dense", h, h);
    transformLayerNorm = new LayerNorm(store, prefix + ".transform.LayerNorm", h, c.layerNormEps());
    Parameter weight = store.create(prefix + ".decoder.weight", Parameter.Init.NORMAL, c.vocabSize(), h);
    Parameter bias = store.create(prefix + ".bias", Parameter.Init.ZEROS, c.vocabSize());
    store.alias(prefix + ".decoder.bias", bias);
    decoder = new Linear(weight, bias);
    act = Activations.byName(c.hiddenAct());
  }

  /** Vocabulary logits [.., V] of hidden states [.., H]. */
  public NDArray forward(NDArray hidden) {
    return decoder.forward(transformLayerNorm.forward(act.apply(transform.forward(hidden))));
  }
}
