package org.blip4j.checkpoint;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.blip4j.checkpoint.pth.TorchCheckpoint;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.BlipConfig;
import org.blip4j.model.BlipContrastiveModel;
import org.blip4j.model.BlipNlvrModel;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.BlipPretrainedModel;
import org.blip4j.model.BlipRetrievalModel;
import org.blip4j.model.BlipVqaModel;
import org.blip4j.model.TextDecoder;

/**
 * A Hugging Face BLIP model directory: {@code config.json} (only non-default keys; HF defaults for
 * the rest) + {@code model.safetensors}, optionally {@code vocab.txt}. Loads any of the four HF
 * classes, chosen by {@code config.architectures[0]} or, when absent, by the checkpoint's keys.
 */
public final class ModelDirectory {
  private ModelDirectory() {}

  /**
   * Loads the model at {@code dir} into a sub-manager of {@code parent}: an HF directory, or an
   * original salesforce/BLIP {@code .pth} file (with {@code med_config.json} beside it).
   */
  public static BlipPretrainedModel load(Path dir, NDManager parent) throws IOException {
    return load(dir, parent, OriginalCheckpoint.Options.defaults());
  }

  /** As {@link #load(Path, NDManager)}; {@code original} applies when {@code dir} is an original {@code .pth}. */
  public static BlipPretrainedModel load(Path dir, NDManager parent, OriginalCheckpoint.Options original) throws IOException {
    return load(dir, null, parent, original);
  }

  /** As above; {@code medConfig} is the original code's BERT config when a {@code .pth} has none beside it (null: beside). */
  public static BlipPretrainedModel load(Path dir, Path medConfig, NDManager parent, OriginalCheckpoint.Options original) throws IOException {
    if (Files.isRegularFile(dir)) {
      return OriginalCheckpoint.load(dir, medConfig, original, parent);
    }
    if (!Files.isDirectory(dir)) {
      throw new CheckpointException("model directory not found: " + dir);
    }
    BlipConfig config = BlipConfig.read(dir.resolve("config.json"));
    Path weights = dir.resolve("model.safetensors");
    Path bin = dir.resolve("pytorch_model.bin");
    TensorSource file;
    if (Files.isRegularFile(weights)) {
      file = SafeTensors.open(weights);
    } else if (Files.isRegularFile(bin)) {
      // the safe reader (nothing in the pickle is executed); original-layout keys are mapped too
      file = TorchCheckpoint.read(bin).tensorSource().renamed(OriginalLayout::toHf);
    } else {
      throw new CheckpointException(dir + ": no model.safetensors or pytorch_model.bin");
    }
    String arch = config.architecture() != null ? config.architecture() : sniff(file);
    BlipPretrainedModel model = arch.equals(BlipPretrainModel.ARCHITECTURE)
        ? new BlipPretrainModel(config.withArchitecture(arch), Math.toIntExact(file.shape("image_queue")[1]), parent)
        : create(config.withArchitecture(arch), file, parent);
    try {
      StateDictLoader.load(model.parameters(), file);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    return model;
  }

  /** A model of the config's architecture with unset parameters (an LM head tied, as salesforce/BLIP's). */
  public static BlipPretrainedModel create(BlipConfig config, NDManager parent) {
    return create(config, true, parent);
  }

  /**
   * A model of the config's architecture with unset parameters, to be filled from {@code weights}: its
   * decoder's LM head is tied to the word embeddings unless {@code weights} holds both tensors with
   * different values (a model fine-tuned with HF, which does not tie them).
   */
  static BlipPretrainedModel create(BlipConfig config, TensorSource weights, NDManager parent) {
    return create(config, lmHeadTiedIn(weights, parent), parent);
  }

  private static BlipPretrainedModel create(BlipConfig config, boolean tiedLmHead, NDManager parent) {
    String arch = config.architecture() == null ? BlipCaptioningModel.ARCHITECTURE : config.architecture();
    return switch (arch) {
      case BlipCaptioningModel.ARCHITECTURE -> new BlipCaptioningModel(config, tiedLmHead, parent);
      case BlipRetrievalModel.ARCHITECTURE -> new BlipRetrievalModel(config, parent);
      case BlipVqaModel.ARCHITECTURE -> new BlipVqaModel(config, tiedLmHead, parent);
      case BlipContrastiveModel.ARCHITECTURE -> new BlipContrastiveModel(config, parent);
      case BlipNlvrModel.ARCHITECTURE -> new BlipNlvrModel(config, parent);
      default -> throw new CheckpointException(
          "unsupported architecture '" + arch + "' (supported: BlipForConditionalGeneration, BlipForImageTextRetrieval, BlipForQuestionAnswering, BlipModel, BlipForNlvr2)");
    };
  }

  /** False when {@code weights} holds the decoder's LM-head weight and word embeddings with different values. */
  static boolean lmHeadTiedIn(TensorSource weights, NDManager parent) {
    String head = "text_decoder" + TextDecoder.LM_HEAD_WEIGHT;
    String embeddings = "text_decoder" + TextDecoder.WORD_EMBEDDINGS;
    if (!weights.names().contains(head) || !weights.names().contains(embeddings)
        || !Arrays.equals(weights.shape(head), weights.shape(embeddings))) {
      return true;
    }
    try (NDManager scratch = parent.newSubManager()) {
      return weights.toNDArray(scratch, head).contentEquals(weights.toNDArray(scratch, embeddings));
    }
  }

  private static String sniff(TensorSource source) {
    Set<String> file = source.names();
    boolean decoder = file.contains("text_decoder.cls.predictions.bias");
    boolean encoder = file.contains("text_encoder.embeddings.word_embeddings.weight");
    if (decoder && encoder) {
      return BlipVqaModel.ARCHITECTURE;
    }
    if (decoder) {
      return BlipCaptioningModel.ARCHITECTURE;
    }
    if (file.contains("cls_head.0.weight")) {
      return BlipNlvrModel.ARCHITECTURE;
    }
    if (file.contains("itm_head.weight")) {
      return BlipRetrievalModel.ARCHITECTURE;
    }
    if (file.contains("text_projection.weight")) {
      return BlipContrastiveModel.ARCHITECTURE;
    }
    throw new CheckpointException(source.describe() + ": cannot tell the BLIP architecture from its keys; add config.json 'architectures'");
  }

  /**
   * Saves {@code model} as an HF directory: full {@code config.json} + {@code model.safetensors}
   * (tied duplicates dropped as {@code save_pretrained} does, except the LM-head weight: HF's
   * {@code BlipTextLMHeadModel} does not tie it and needs it in the file, so a tied head is written
   * under both names with equal values).
   */
  public static void save(BlipPretrainedModel model, Path dir) throws IOException {
    Files.createDirectories(dir);
    model.config().withArchitecture(model.architecture()).write(dir.resolve("config.json"));
    Map<String, ai.djl.ndarray.NDArray> tensors = new TreeMap<>();
    model.parameters().distinct().forEach((p, names) -> {
      tensors.put(names.get(0), p.array());
      names.stream().filter(n -> n.endsWith(TextDecoder.LM_HEAD_WEIGHT)).forEach(n -> tensors.put(n, p.array()));
    });
    SafeTensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
  }
}
