package org.blip4j.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.blip4j.checkpoint.pth.TorchCheckpoint;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.BlipConfig;
import org.blip4j.model.BlipNlvrModel;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.BlipPretrainedModel;
import org.blip4j.model.BlipRetrievalModel;
import org.blip4j.model.BlipVqaModel;
import org.blip4j.model.ConfigJson;
import org.blip4j.model.TextConfig;
import org.blip4j.vision.PositionEmbedding;
import org.blip4j.vision.VisionConfig;

/**
 * Original salesforce/BLIP checkpoints ({@code model_base.pth}, {@code model_base_caption_capfilt_large.pth},
 * {@code model_base_retrieval_coco.pth}, {@code model_base_vqa_capfilt_large.pth}, {@code model_base_nlvr.pth},
 * ...): read safely ({@link TorchCheckpoint}), keys mapped by {@link OriginalLayout}, the text config
 * from {@code med_config.json}, the ViT from the tensor shapes (LayerNorm eps 1e-6 as timm's ViT in
 * BLIP), position embeddings interpolated when another image size is requested.
 */
public final class OriginalCheckpoint {
  private OriginalCheckpoint() {}

  /**
   * Loading options.
   *
   * @param imageSize requested image size (null: the checkpoint's own grid)
   * @param visionHeads ViT heads (null: hidden/64, or the text heads when the width is not a multiple of 64)
   * @param architecture the class a pre-training checkpoint (which holds every part) is loaded as; other
   *     checkpoints are loaded as the class their keys show, and a task checks that it got its class
   */
  public record Options(Integer imageSize, Integer visionHeads, String architecture) {
    /** All from the checkpoint. */
    public static Options defaults() {
      return new Options(null, null, null);
    }
  }

  /** State kept by training-time models that inference models do not have. */
  private static final Pattern TRAINING_STATE = Pattern.compile(
      "^(visual_encoder_m|vision_model_m|text_encoder_m|text_decoder_m|vision_proj_m|text_proj_m)\\..*|^(image_queue|text_queue|idx_queue|ptr_queue|queue_ptr|temp)$");

  /** Loads {@code pth} ({@code med_config.json} beside it unless given). */
  public static BlipPretrainedModel load(Path pth, Path medConfig, Options options, NDManager parent) throws IOException {
    Path med = medConfig != null ? medConfig : pth.resolveSibling("med_config.json");
    if (!Files.isRegularFile(med)) {
      throw new CheckpointException("no med_config.json beside " + pth + " (pass the BERT config of the original code with --med-config)");
    }
    JsonNode medJson;
    try {
      medJson = new ObjectMapper().readTree(med.toFile());
    } catch (IOException e) {
      throw new CheckpointException(med + ": not valid JSON: " + e.getMessage(), e);
    }
    TensorSource source = TorchCheckpoint.read(pth).tensorSource().renamed(OriginalLayout::toHf);
    String arch = isPretraining(source.names()) && options.architecture() != null
        ? options.architecture()
        : architecture(source.names(), pth);
    BlipConfig config = config(medJson, source, options, med).withArchitecture(arch);
    BlipPretrainedModel model = arch.equals(BlipPretrainModel.ARCHITECTURE)
        ? new BlipPretrainModel(config, (int) shape(source, "image_queue")[1], parent)
        : ModelDirectory.create(config, source, parent);
    try {
      TensorSource fitted = withPositionGrid(source, config.vision().gridSize());
      boolean plainIntoNlvr = arch.equals(BlipNlvrModel.ARCHITECTURE) && fitted.names().stream().noneMatch(k -> k.contains(".crossattention.self0."));
      if (plainIntoNlvr) {
        // as the original BLIP_NLVR loader: one cross-attention copied into both branches; the merge
        // layers and the classifier head start fresh (they are what NLVR fine-tuning learns)
        StateDictLoader.load(model.parameters(), twinned(fitted), ignorable(arch).or(k -> k.startsWith("text_decoder.")
            || k.startsWith("itm_head.") || k.startsWith("vision_proj.") || k.startsWith("text_proj.")),
            k -> k.startsWith("cls_head.") || k.contains(".merge_layer."));
        model.parameters().initializeMissing(0, 0.02f);
      } else {
        StateDictLoader.load(model.parameters(), fitted, ignorable(arch));
      }
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    return model;
  }

  private static boolean isPretraining(Set<String> keys) {
    return keys.contains("vision_model_m.embeddings.class_embedding") && keys.contains("text_decoder.cls.predictions.bias");
  }

  /** The BLIP class a state dict (HF names) belongs to. */
  static String architecture(Set<String> keys, Path file) {
    boolean encoder = keys.contains("text_encoder.embeddings.word_embeddings.weight");
    boolean decoder = keys.contains("text_decoder.cls.predictions.bias");
    if (keys.contains("cls_head.0.weight")) {
      return BlipNlvrModel.ARCHITECTURE;
    }
    if (isPretraining(keys)) {
      throw new CheckpointException(file + " is a pre-training checkpoint (BLIP_Pretrain); choose the task to load it for"
          + " (captioning, retrieval or vqa), or load it as " + BlipPretrainModel.ARCHITECTURE);
    }
    if (encoder && decoder) {
      return BlipVqaModel.ARCHITECTURE;
    }
    if (decoder) {
      return BlipCaptioningModel.ARCHITECTURE;
    }
    if (encoder && keys.contains("itm_head.weight")) {
      return BlipRetrievalModel.ARCHITECTURE;
    }
    throw new CheckpointException(file + ": not a BLIP checkpoint I recognise (no text_encoder/text_decoder keys)");
  }

  /** Keys a model of {@code arch} leaves unused when loading an original checkpoint (as the original strict=False loading). */
  static Predicate<String> ignorable(String arch) {
    Predicate<String> training = k -> TRAINING_STATE.matcher(k).matches();
    return switch (arch) {
      case BlipCaptioningModel.ARCHITECTURE -> training.or(k -> k.startsWith("text_encoder.") || k.startsWith("itm_head.")
          || k.startsWith("vision_proj.") || k.startsWith("text_proj."));
      case BlipRetrievalModel.ARCHITECTURE -> training.or(k -> k.startsWith("text_decoder."));
      case BlipVqaModel.ARCHITECTURE -> training.or(k -> k.startsWith("itm_head.") || k.startsWith("vision_proj.") || k.startsWith("text_proj."));
      default -> training;
    };
  }

  /** BlipConfig from med_config.json and the ViT's tensor shapes. */
  static BlipConfig config(JsonNode med, TensorSource src, Options options, Path medFile) {
    ConfigJson c = new ConfigJson(med, medFile.toString());
    long[] patch = shape(src, "vision_model.embeddings.patch_embedding.weight");
    long[] pos = shape(src, "vision_model.embeddings.position_embedding");
    long[] fc1 = shape(src, "vision_model.encoder.layers.0.mlp.fc1.weight");
    int hidden = (int) patch[0];
    int patchSize = (int) patch[2];
    int grid = (int) Math.round(Math.sqrt(pos[1] - 1));
    int layers = 0;
    while (src.names().contains("vision_model.encoder.layers." + layers + ".self_attn.qkv.weight")) {
      layers++;
    }
    int textHeads = c.intOr("num_attention_heads", 12);
    int heads = options.visionHeads() != null ? options.visionHeads() : hidden % 64 == 0 ? hidden / 64 : textHeads;
    int imageSize = options.imageSize() != null ? options.imageSize() : grid * patchSize;
    VisionConfig vision = new VisionConfig(hidden, (int) fc1[0], layers, heads, imageSize, patchSize, 1e-6, "gelu");
    TextConfig text = new TextConfig(
        c.intOr("vocab_size", 30524), c.intOr("hidden_size", 768), hidden, c.intOr("intermediate_size", 3072),
        c.intOr("num_hidden_layers", 12), textHeads, c.intOr("max_position_embeddings", 512),
        c.doubleOr("layer_norm_eps", 1e-12), c.stringOr("hidden_act", "gelu"), 30522, c.intOr("pad_token_id", 0), 2, 102);
    int itc = src.names().contains("vision_proj.weight") ? (int) src.shape("vision_proj.weight")[0] : 256;
    return new BlipConfig(vision, text, 512, itc, 2.6592, null);
  }

  private static long[] shape(TensorSource src, String name) {
    if (!src.names().contains(name)) {
      throw new CheckpointException(src.describe() + ": no tensor '" + OriginalLayout.toOriginal(name) + "'");
    }
    return src.shape(name);
  }

  /**
   * A single-cross-attention state dict seen with twin branches: {@code crossattention.self.*} also
   * as {@code self0.*}/{@code self1.*}, {@code crossattention.output.dense.*} also as
   * {@code dense0.*}/{@code dense1.*} (the originals are dropped).
   */
  static TensorSource twinned(TensorSource src) {
    return src.viewed(k -> {
      for (String part : new String[] {".crossattention.self.", ".crossattention.output.dense."}) {
        if (k.contains(part)) {
          String stem = part.substring(0, part.length() - 1);
          return List.of(k.replace(part, stem + "0."), k.replace(part, stem + "1."));
        }
      }
      return List.of(k);
    });
  }

  /** The source with its position embeddings interpolated to {@code grid} (BLIP's interpolate_pos_embed). */
  static TensorSource withPositionGrid(TensorSource src, int grid) {
    return new TensorSource() {
      @Override
      public String describe() {
        return src.describe();
      }

      @Override
      public Set<String> names() {
        return src.names();
      }

      private boolean isPos(String name) {
        return name.endsWith("embeddings.position_embedding") && name.startsWith("vision_model");
      }

      @Override
      public long[] shape(String name) {
        long[] s = src.shape(name);
        return isPos(name) ? new long[] {1, 1 + (long) grid * grid, s[2]} : s;
      }

      @Override
      public NDArray toNDArray(NDManager manager, String name) {
        NDArray a = src.toNDArray(manager, name);
        if (!isPos(name) || a.getShape().get(1) == 1 + (long) grid * grid) {
          return a;
        }
        NDArray out = PositionEmbedding.interpolate(manager, a, grid);
        a.close();
        return out;
      }
    };
  }
}
