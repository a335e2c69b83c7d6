package org.blip4j.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.blip4j.Blip4j;
import org.blip4j.checkpoint.CheckpointException;
import org.blip4j.checkpoint.ModelDirectory;
import org.blip4j.checkpoint.OriginalCheckpoint;
import org.blip4j.image.ImagePreprocessor;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.BlipPretrainedModel;
import org.blip4j.model.BlipRetrievalModel;
import org.blip4j.model.BlipVqaModel;
import org.blip4j.text.BertTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code blip convert}: writes any model this project loads (an HF directory or an original
 * salesforce/BLIP {@code .pth}) as an HF-layout directory: {@code config.json} (every key, with
 * {@code architectures}), {@code model.safetensors} (HF names, tied duplicates stored once),
 * {@code vocab.txt} and {@code preprocessor_config.json}. The result loads without
 * {@code med_config.json} and without the {@code .pth} reader.
 */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Convert a BLIP checkpoint (HF directory or original salesforce/BLIP .pth) into an HF-layout directory:",
        "config.json + model.safetensors + vocab.txt + preprocessor_config.json."})
public final class ConvertCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Tokenizer files copied from SRC's directory when present (vocab.txt is always written). */
  static final List<String> TOKENIZER_FILES = List.of("tokenizer_config.json", "special_tokens_map.json", "added_tokens.json");

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SRC", description = "HF model directory, or an original .pth (med_config.json beside it unless --med-config).")
  Path src;

  @Parameters(index = "1", paramLabel = "DST", description = "Output directory (created; must be empty unless --force).")
  Path dst;

  @Option(names = "--med-config", paramLabel = "FILE", description = "The BERT config of the original code (.pth SRC only). Default: med_config.json beside SRC.")
  Path medConfig;

  @Option(names = "--image-size", paramLabel = "N", description = "ViT input size; position embeddings are interpolated (.pth SRC only). Default: the checkpoint's.")
  Integer imageSize;

  @Option(names = "--vit-heads", paramLabel = "N", description = "ViT attention heads (.pth SRC only). Default: width/64.")
  Integer vitHeads;

  @Option(names = "--task", paramLabel = "caption|retrieval|vqa", converter = TaskConverter.class,
      description = "The model class to build from a pre-training checkpoint (model_base.pth, ...); for other checkpoints it must match their class.")
  String task;

  @Option(names = "--force", description = "Write into a non-empty DST, replacing files of the same names.")
  boolean force;

  @Option(names = {"-v", "--verbose"}, description = "Print stack traces of errors (also: environment variable BLIP4J_DEBUG).")
  boolean verbose;

  @Override
  public Integer call() {
    boolean pth = Files.isRegularFile(src);
    if (!pth) {
      require(medConfig == null, "--med-config applies to an original .pth SRC only; " + src + " is not a file");
      require(imageSize == null, "--image-size applies to an original .pth SRC only; " + src + " is not a file");
      require(vitHeads == null, "--vit-heads applies to an original .pth SRC only; " + src + " is not a file");
    }
    require(imageSize == null || imageSize >= 1, "--image-size must be >= 1, got " + imageSize);
    require(vitHeads == null || vitHeads >= 1, "--vit-heads must be >= 1, got " + vitHeads);
    PrintWriter err = spec.commandLine().getErr();
    try {
      Path srcDir = (pth ? src.toAbsolutePath().getParent() : src.toAbsolutePath()).normalize();
      checkDestination(srcDir);
      Blip4j.inferenceThread();
      try (NDManager root = NDManager.newBaseManager();
          BlipPretrainedModel model = load(pth, root)) {
        if (task != null && !model.architecture().equals(task)) {
          throw new CheckpointException(src + " holds a " + model.architecture() + " model; --task asks for " + task);
        }
        ModelDirectory.save(model, dst);
        writeTokenizer(srcDir);
        writePreprocessor(srcDir, model.config().vision().imageSize());
        err.printf(Locale.ROOT, "converted %s -> %s: %s, %,d parameters, image size %d%n", src, dst,
            model.architecture(), model.parameters().numel(), model.config().vision().imageSize());
        err.flush();
      }
      return 0;
    } catch (ParameterException e) {
      throw e;
    } catch (Exception e) {
      return Common.report(e, err, verbose || Common.debugFromEnv());
    }
  }

  private BlipPretrainedModel load(boolean pth, NDManager root) throws IOException {
    if (!pth) {
      return ModelDirectory.load(src, root);
    }
    try {
      return OriginalCheckpoint.load(src, medConfig, new OriginalCheckpoint.Options(imageSize, vitHeads, task), root);
    } catch (CheckpointException e) {
      if (task == null && e.getMessage() != null && e.getMessage().contains("pre-training checkpoint")) {
        throw new CheckpointException(e.getMessage() + " with --task caption|retrieval|vqa", e);
      }
      throw e;
    }
  }

  /** DST must not be SRC's directory, and must be empty or absent unless --force. */
  private void checkDestination(Path srcDir) throws IOException {
    if (Files.exists(dst) && !Files.isDirectory(dst)) {
      throw new CheckpointException("DST " + dst + " exists and is not a directory");
    }
    if (Files.isDirectory(dst)) {
      if (Files.exists(srcDir) && Files.isSameFile(dst, srcDir)) {
        throw new CheckpointException("DST " + dst + " is the directory of SRC " + src + "; choose another directory");
      }
      try (Stream<Path> entries = Files.list(dst)) {
        if (entries.findAny().isPresent() && !force) {
          throw new CheckpointException("DST " + dst + " is not empty (pass --force to write into it)");
        }
      }
    }
  }

  /** vocab.txt (SRC's own, else the bundled bert-base-uncased one) and SRC's tokenizer json files. */
  private void writeTokenizer(Path srcDir) throws IOException {
    Path vocab = srcDir.resolve("vocab.txt");
    if (Files.isRegularFile(vocab)) {
      Files.copy(vocab, dst.resolve("vocab.txt"), StandardCopyOption.REPLACE_EXISTING);
    } else {
      try (InputStream in = BertTokenizer.class.getResourceAsStream(BertTokenizer.DEFAULT_VOCAB_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("classpath:org/blip4j/text/" + BertTokenizer.DEFAULT_VOCAB_RESOURCE + " is missing from the blip4j-core jar");
        }
        Files.copy(in, dst.resolve("vocab.txt"), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    for (String name : TOKENIZER_FILES) {
      Path f = srcDir.resolve(name);
      if (Files.isRegularFile(f)) {
        Files.copy(f, dst.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** preprocessor_config.json: SRC's own with the size set to the model's, else BlipImageProcessor's defaults at that size. */
  private void writePreprocessor(Path srcDir, int size) throws IOException {
    Path own = srcDir.resolve("preprocessor_config.json");
    ObjectNode o;
    if (Files.isRegularFile(own)) {
      JsonNode n = JSON.readTree(own.toFile());
      if (n == null || !n.isObject()) {
        throw new CheckpointException(own + ": expected a JSON object");
      }
      o = (ObjectNode) n;
    } else {
      o = JSON.createObjectNode();
      o.put("do_convert_rgb", true);
      o.put("do_normalize", true);
      o.put("do_rescale", true);
      o.put("do_resize", true);
      var mean = o.putArray("image_mean");
      for (double v : ImagePreprocessor.CLIP_MEAN) {
        mean.add(v);
      }
      o.put("image_processor_type", "BlipImageProcessor");
      var std = o.putArray("image_std");
      for (double v : ImagePreprocessor.CLIP_STD) {
        std.add(v);
      }
      o.put("resample", 3);
      o.put("rescale_factor", ImagePreprocessor.DEFAULT_RESCALE);
    }
    ObjectNode s = o.putObject("size");
    s.put("height", size);
    s.put("width", size);
    JSON.writerWithDefaultPrettyPrinter().writeValue(dst.resolve("preprocessor_config.json").toFile(), o);
  }

  private void require(boolean ok, String message) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(), message);
    }
  }

  /** caption | retrieval | vqa (any case) to the HF class name. */
  static final class TaskConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "caption" -> BlipCaptioningModel.ARCHITECTURE;
        case "retrieval" -> BlipRetrievalModel.ARCHITECTURE;
        case "vqa" -> BlipVqaModel.ARCHITECTURE;
        default -> throw new TypeConversionException("expected caption, retrieval or vqa, got '" + value + "'");
      };
    }
  }
}
