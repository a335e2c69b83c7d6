package org.blip4j.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.BlipNlvrModel;
import org.blip4j.model.BlipPretrainedModel;
import org.blip4j.model.BlipRetrievalModel;
import org.blip4j.nn.Parameter;

/**
 * Task models built from another BLIP model by parameter name — how the original fine-tuning scripts
 * start from a pre-trained checkpoint ({@code load_checkpoint(..., strict=False)}): a
 * BlipForPretraining gives a captioner (ViT + decoder) or a retrieval model (ViT + encoder +
 * projections + ITM head) or an NLVR model (ViT + text encoder with its cross-attention copied into
 * both branches). Every parameter of the target must exist in the source with its shape, except the
 * ones a conversion initialises afresh.
 */
public final class TaskModels {
  private TaskModels() {}

  /** A captioning model holding copies of {@code source}'s ViT and decoder weights ({@code source} itself if it is one). */
  public static BlipCaptioningModel captioning(BlipPretrainedModel source, NDManager parent) {
    return convert(source, BlipCaptioningModel.class, () -> new BlipCaptioningModel(source.config(), parent));
  }

  /** A retrieval model holding copies of {@code source}'s ViT, text encoder, projections and ITM head ({@code source} itself if it is one). */
  public static BlipRetrievalModel retrieval(BlipPretrainedModel source, NDManager parent) {
    return convert(source, BlipRetrievalModel.class, () -> new BlipRetrievalModel(source.config(), parent));
  }

  /**
   * An NLVR2 model from {@code source} ({@code source} itself if it is one): the ViT and the text
   * encoder copied by name, each layer's cross-attention ({@code crossattention.self.*} and
   * {@code crossattention.output.dense.*}) copied into both branches {@code self0}/{@code self1} and
   * {@code dense0}/{@code dense1} — two independent copies — as the original {@code blip_nlvr.load_checkpoint}
   * does with {@code model_base.pth}; {@code merge_layer} and {@code cls_head} start fresh (N(0, 0.02)
   * weights, zero biases, seeded by {@code seed}): they are what NLVR fine-tuning learns.
   */
  public static BlipNlvrModel nlvr(BlipPretrainedModel source, long seed, NDManager parent) {
    if (source instanceof BlipNlvrModel n) {
      return n;
    }
    BlipNlvrModel target = new BlipNlvrModel(source.config(), parent);
    try {
      copy(source, target, TaskModels::singleCrossAttentionName, name -> name.startsWith("cls_head.") || name.contains(".merge_layer."));
      target.parameters().initializeMissing(seed, 0.02f);
    } catch (RuntimeException e) {
      target.close();
      throw e;
    }
    return target;
  }

  /** The single-cross-attention name a twin-branch parameter is copied from ({@code self0}/{@code self1} → {@code self}, {@code dense0}/{@code dense1} → {@code dense}). */
  static String singleCrossAttentionName(String twin) {
    return twin.replaceFirst("\\.crossattention\\.self[01]\\.", ".crossattention.self.")
        .replaceFirst("\\.crossattention\\.output\\.dense[01]\\.", ".crossattention.output.dense.");
  }

  private static <M extends BlipPretrainedModel> M convert(BlipPretrainedModel source, Class<M> type, java.util.function.Supplier<M> empty) {
    if (type.isInstance(source)) {
      return type.cast(source);
    }
    M target = empty.get();
    copy(source, target);
    return target;
  }

  /** Copies every parameter of {@code target} from the same name in {@code source}. */
  public static void copy(BlipPretrainedModel source, BlipPretrainedModel target) {
    copy(source, target, Function.identity(), name -> false);
  }

  /**
   * Copies every parameter of {@code target} from the parameter of {@code source} named
   * {@code sourceName.apply(name)}, leaving those whose name passes {@code skip} unset.
   */
  static void copy(BlipPretrainedModel source, BlipPretrainedModel target, Function<String, String> sourceName, Predicate<String> skip) {
    Map<String, Parameter> from = source.parameters().byName();
    List<String> problems = new ArrayList<>();
    target.parameters().distinct().forEach((p, names) -> {
      if (skip.test(names.get(0))) {
        return;
      }
      Parameter s = names.stream().map(sourceName).map(from::get).filter(x -> x != null).findFirst().orElse(null);
      if (s == null) {
        problems.add("'" + names.get(0) + "' missing");
      } else if (!s.shape().equals(p.shape())) {
        problems.add("'" + names.get(0) + "' is " + s.shape() + " in the source, " + p.shape() + " here");
      } else {
        NDArray v = s.array();
        p.set(v.duplicate());
        p.array().attach(target.parameters().manager());
      }
    });
    if (!problems.isEmpty()) {
      throw new CheckpointException("a " + source.architecture() + " cannot initialise a " + target.architecture() + ": " + String.join("; ", problems));
    }
  }
}
