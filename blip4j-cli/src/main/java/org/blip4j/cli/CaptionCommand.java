package org.blip4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.blip4j.generate.GenerationConfig;
import org.blip4j.image.RgbImage;
import org.blip4j.model.TextConfig;
import org.blip4j.task.Captioner;
import org.blip4j.task.Captioner.Caption;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code blip caption}: captions image files with a {@code BlipForConditionalGeneration} model.
 * Defaults are BLIP's demo settings (beam 3, max 20, min 5, prompt "a picture of "). Images are
 * decoded one by one (a bad file is reported and skipped) and captioned in batches.
 */
@Command(name = "caption", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Caption images (BlipForConditionalGeneration). Defaults: beam search with 3 beams, max length 20, min length 5, prompt \"a picture of \".")
public final class CaptionCommand implements Callable<Integer> {

  @Mixin Common common;

  @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image files (PNG, JPEG, GIF, BMP, WebP).")
  List<Path> images;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  PromptChoice prompt;

  /** --prompt TEXT | --no-prompt. */
  static final class PromptChoice {
    @Option(names = "--prompt", paramLabel = "TEXT", description = "Text the caption continues (stripped from the output). Default: \"a picture of \".")
    String text;

    @Option(names = "--no-prompt", description = "Decode from [DEC] alone.")
    boolean none;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Decoding decoding;

  /** Beam search / greedy (--beams) or sampling (--sample ...), not both. */
  static final class Decoding {
    @Option(names = "--beams", paramLabel = "N", description = "Beam search with N beams; 1 = greedy. Default: 3.")
    Integer beams;

    @ArgGroup(exclusive = false, multiplicity = "1")
    Sampling sampling;
  }

  /** Nucleus / top-k sampling. */
  static final class Sampling {
    @Option(names = "--sample", required = true, description = "Sample (nucleus + top-k) instead of beam search.")
    boolean sample;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.9", description = "Nucleus mass with --sample. Default: ${DEFAULT-VALUE}.")
    float topP = 0.9f;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "50", description = "Keep the K most likely tokens with --sample (0 = off). Default: ${DEFAULT-VALUE} (HF).")
    int topK = 50;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1", description = "Sampling temperature. Default: ${DEFAULT-VALUE}.")
    float temperature = 1f;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Sampling seed. Default: ${DEFAULT-VALUE}.")
    long seed;
  }

  @Option(names = "--max-length", paramLabel = "N", defaultValue = "20",
      description = "Length limit in tokens, counting [DEC] and the prompt. Default: ${DEFAULT-VALUE}.")
  int maxLength;

  @Option(names = "--min-length", paramLabel = "N", defaultValue = "5",
      description = "[SEP] is forbidden before this many tokens (counting [DEC] and the prompt). Default: ${DEFAULT-VALUE}.")
  int minLength;

  @Option(names = "--repetition-penalty", paramLabel = "X", defaultValue = "1.0", description = "HF repetition penalty (1 = off). Default: ${DEFAULT-VALUE}.")
  float repetitionPenalty;

  @Option(names = "--num-captions", paramLabel = "N", defaultValue = "1",
      description = "Captions per image: independent samples with --sample, the N best beams with --beams. Default: ${DEFAULT-VALUE}.")
  int numCaptions;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "8", description = "Images per forward pass. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Override
  public Integer call() {
    boolean sample = decoding != null && decoding.sampling != null;
    Sampling s = sample ? decoding.sampling : new Sampling();
    int beams = sample ? 1 : decoding != null && decoding.beams != null ? decoding.beams : 3;
    GenerationConfig generation = common.generation(maxLength, minLength, beams, repetitionPenalty, sample, s.topP, s.topK, s.temperature, s.seed, numCaptions);
    common.require(batchSize >= 1, "--batch-size must be >= 1, got " + batchSize);
    String promptText = prompt == null ? Captioner.DEFAULT_PROMPT : prompt.none ? null : prompt.text;
    Captioner.Options options = new Captioner.Options(generation, promptText, batchSize);
    return common.run(() -> {
      try (Captioner captioner = Captioner.load(common.model, common.medConfig)) {
        TextConfig text = captioner.model().config().text();
        Progress progress = !common.json && images.size() > batchSize ? new Progress("captioned", images.size(), common.err()) : null;
        common.progress = progress;
        List<Path> names = new ArrayList<>();
        List<RgbImage> batch = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
          RgbImage image = common.decodeOrReport(images.get(i));
          if (image != null) {
            names.add(images.get(i));
            batch.add(image);
          }
          if (batch.size() == batchSize || i == images.size() - 1) {
            List<List<Caption>> captions = batch.isEmpty() ? List.of() : captioner.captionDecoded(batch, options);
            for (int b = 0; b < captions.size(); b++) {
              for (Caption c : captions.get(b)) {
                print(names.get(b), c, text);
              }
            }
            names.clear();
            batch.clear();
            if (progress != null) {
              progress.update(i + 1);
            }
          }
        }
        if (progress != null) {
          progress.finish();
        }
      }
      return 0;
    });
  }

  private void print(Path image, Caption c, TextConfig text) {
    if (common.json) {
      ObjectNode o = common.object();
      o.put("image", image.toString());
      o.put("caption", c.text());
      Common.putTokenIds(o, c.tokenIds(), text.sepTokenId(), text.padTokenId());
      common.emit(o);
    } else {
      common.emit(image + ": " + c.text());
    }
  }
}
