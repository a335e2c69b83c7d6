package org.blip4j.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.blip4j.generate.GenerationConfig;
import org.blip4j.generate.GenerationResult;
import org.blip4j.generate.Generator;
import org.blip4j.image.ImagePreprocessor;
import org.blip4j.image.RgbImage;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.CrossAttentionContext;
import org.blip4j.text.BertTokenizer;

/**
 * Image captioning with a {@code BlipForConditionalGeneration} model: the decoder starts from
 * {@code [DEC]} + the prompt ("a picture of " by default, stripped from the returned caption) and
 * decodes with greedy, beam search or nucleus sampling. Batches internally; thread-safe.
 */
public final class Captioner extends BlipTask<BlipCaptioningModel> {
  /** BLIP's captioning prompt. */
  public static final String DEFAULT_PROMPT = "a picture of ";

  /** One caption. {@code tokenIds} is the generated sequence as HF returns it ([DEC], prompt, [SEP], padding). */
  public record Caption(String text, long[] tokenIds, float score) {
    @Override
    public String toString() {
      return text;
    }
  }

  /**
   * Options of a captioning call.
   *
   * @param generation decoding settings
   * @param prompt text the caption continues (null or empty: none)
   * @param batchSize images per forward pass
   */
  public record Options(GenerationConfig generation, String prompt, int batchSize) {
    /** Validates. */
    public Options {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
      }
    }

    /** BLIP's demo defaults: beam 3, max 20, min 5, prompt "a picture of ", batch 8. */
    public static Options defaults() {
      return new Options(GenerationConfig.beam(3, 20, 5), DEFAULT_PROMPT, 8);
    }

    /** A copy with other decoding settings. */
    public Options withGeneration(GenerationConfig g) {
      return new Options(g, prompt, batchSize);
    }

    /** A copy with another prompt. */
    public Options withPrompt(String p) {
      return new Options(generation, p, batchSize);
    }
  }

  private Captioner(Loaded<BlipCaptioningModel> l) {
    super(l.root(), l.model(), l.tokenizer(), l.preprocessor());
  }

  /** Loads an HF {@code BlipForConditionalGeneration} directory. */
  public static Captioner load(Path modelDir) throws IOException {
    return new Captioner(loadDirectory(modelDir, BlipCaptioningModel.class, "captioning"));
  }

  /** Loads an original salesforce/BLIP {@code .pth} with its BERT config {@code medConfig} (null: beside the file), or an HF directory. */
  public static Captioner load(Path modelDir, Path medConfig) throws IOException {
    return new Captioner(loadDirectory(modelDir, medConfig, BlipCaptioningModel.class, "captioning"));
  }

  /** Wraps an already built model (e.g. randomly initialised for benchmarks). */
  public static Captioner of(NDManager root, BlipCaptioningModel model, BertTokenizer tokenizer, ImagePreprocessor preprocessor) {
    return new Captioner(new Loaded<>(root, model, tokenizer, preprocessor));
  }

  /** Captions one image with the default options. */
  public Caption caption(ImageInput image) {
    return caption(List.of(image), Options.defaults()).get(0).get(0);
  }

  /** Captions images; per image, {@code numReturnSequences} captions. */
  public List<List<Caption>> caption(List<ImageInput> images, Options options) {
    return captionDecoded(decodeAll(images), options);
  }

  /** Captions decoded images. */
  public List<List<Caption>> captionDecoded(List<RgbImage> images, Options options) {
    return captionDecoded(images, options, null);
  }

  /**
   * Captions decoded images; when sampling, image {@code i} draws from its own generator seeded with
   * {@code seeds[i]}, so its captions do not depend on the batch it is in ({@code seeds} null: one
   * generator seeded with the options' seed per batch).
   */
  public List<List<Caption>> captionDecoded(List<RgbImage> images, Options options, long[] seeds) {
    if (seeds != null && seeds.length != images.size()) {
      throw new IllegalArgumentException("expected one seed per image (" + images.size() + "), got " + seeds.length);
    }
    long[] prompt = promptIds(options.prompt());
    List<List<Caption>> out = new ArrayList<>();
    for (int start = 0; start < images.size(); start += options.batchSize()) {
      int end = Math.min(images.size(), start + options.batchSize());
      List<RgbImage> batch = images.subList(start, end);
      long[] batchSeeds = seeds == null ? null : Arrays.copyOfRange(seeds, start, end);
      try (NDManager m = callScope()) {
        GenerationResult res = generate(m, pixels(m, batch), prompt, options.generation(), batchSeeds);
        int n = res.sequences().length / batch.size();
        for (int i = 0; i < batch.size(); i++) {
          List<Caption> captions = new ArrayList<>();
          for (int j = 0; j < n; j++) {
            long[] ids = res.sequences()[i * n + j];
            captions.add(new Caption(captionText(ids, prompt), ids, res.scores()[i * n + j]));
          }
          out.add(captions);
        }
      }
    }
    return out;
  }

  /** Runs vision + decoding on pixel values [B, 3, S, S]; the image's cross-attention K/V are computed once. */
  public GenerationResult generate(NDManager m, NDArray pixelValues, long[] prompt, GenerationConfig cfg) {
    return generate(m, pixelValues, prompt, cfg, null);
  }

  /** As above; when sampling, image row {@code i} uses its own generator seeded with {@code rowSeeds[i]} (null: one shared, seeded with {@code cfg.seed()}). */
  public GenerationResult generate(NDManager m, NDArray pixelValues, long[] prompt, GenerationConfig cfg, long[] rowSeeds) {
    NDArray image = model.imageEmbeds(pixelValues);
    CrossAttentionContext ctx = model.textDecoder().bert().crossContext(image, null);
    return new Generator(model.textDecoder(), model.config().text().sepTokenId(), model.config().text().padTokenId()).generate(ctx, prompt, cfg, rowSeeds);
  }

  /** {@code [DEC]} + the prompt's word pieces (HF: tokenize with specials, [CLS]→[DEC], drop the final [SEP]). */
  public long[] promptIds(String prompt) {
    int dec = model.config().text().bosTokenId();
    if (prompt == null || prompt.isBlank()) {
      return new long[] {dec};
    }
    long[] ids = tokenizer.encode(prompt).inputIdsAsLong();
    long[] out = Arrays.copyOf(ids, ids.length - 1);
    out[0] = dec;
    return out;
  }

  /** The caption text of generated {@code ids}: decoded without special tokens, the prompt stripped. */
  public String captionText(long[] ids, long[] prompt) {
    String decoded = tokenizer.decode(ids, true, true);
    String promptText = prompt.length > 1 ? tokenizer.decode(prompt, true, true) : "";
    if (!promptText.isEmpty() && decoded.startsWith(promptText)) {
      return decoded.substring(promptText.length()).strip();
    }
    return decoded.strip();
  }
}
