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
import org.blip4j.model.BlipVqaModel;
import org.blip4j.nn.Parameter;

/**
 * Task models built from another BLIP model by parameter name — how the original fine-tuning scripts
 * start from a pre-trained checkpoint ({@code load_checkpoint(..., strict=False)}): a
 * BlipForPretraining gives a captioner (ViT + decoder) or a retrieval model (ViT + encoder +
 * projections + ITM head) or a VQA model (ViT + question encoder ← text encoder + answer decoder ←
 * decoder) or an NLVR model (ViT + text encoder with its cross-attention copied into both branches;
 * merge layers and head initialised afresh). Every parameter of the target must exist in the source with its shape, and every target
 * parameter gets its OWN copy: where the source shares one tensor under several names (the
 * pre-training decoder shares all but self-attention with the encoder), the target's separate
 * parameters start equal and train independently, as the original's separate modules do.
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
   * A VQA model ({@code BlipForQuestionAnswering}) holding copies of {@code source}'s ViT, text encoder
   * (→ question encoder {@code text_encoder}) and decoder (→ answer decoder {@code text_decoder};
   * from a BlipForPretraining the decoder's shared weights become independent copies) — {@code
   * source} itself if it is one. BLIP_VQA is initialised the same way from the pre-trained checkpoint.
   */
  public static BlipVqaModel vqa(BlipPretrainedModel source, NDManager parent) {
    return convert(source, BlipVqaModel.class, () -> new BlipVqaModel(source.config(), parent));
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
