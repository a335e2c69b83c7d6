package org.blip4j.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.blip4j.generate.GenerationConfig;
import org.blip4j.generate.GenerationResult;
import org.blip4j.generate.Generator;
import org.blip4j.image.ImagePreprocessor;
import org.blip4j.image.RgbImage;
import org.blip4j.model.BlipVqaModel;
import org.blip4j.model.CrossAttentionContext;
import org.blip4j.model.TextTransformer;
import org.blip4j.text.BatchEncoding;
import org.blip4j.text.BertTokenizer;
import org.blip4j.text.Padding;

/**
 * Visual question answering (generate mode) with a {@code BlipForQuestionAnswering} model: the
 * question is encoded image-grounded with {@code [ENC]} first (original BLIP), and the answer
 * decoder starts from {@code [DEC]} cross-attending to all question positions. Thread-safe.
 */
public final class VqaModel extends BlipTask<BlipVqaModel> {
  /** BLIP's question length limit. */
  public static final int MAX_QUESTION_LENGTH = 35;

  /** One answer; {@code tokenIds} as HF returns them ([DEC] ... [SEP]). */
  public record Answer(String answer, long[] tokenIds) {}

  private VqaModel(Loaded<BlipVqaModel> l) {
    super(l.root(), l.model(), l.tokenizer(), l.preprocessor());
  }

  /** Loads an HF {@code BlipForQuestionAnswering} directory. */
  public static VqaModel load(Path modelDir) throws IOException {
    return new VqaModel(loadDirectory(modelDir, BlipVqaModel.class, "visual question answering"));
  }

  /** Loads an original salesforce/BLIP {@code .pth} with its BERT config {@code medConfig} (null: beside the file), or an HF directory. */
  public static VqaModel load(Path modelDir, Path medConfig) throws IOException {
    return new VqaModel(loadDirectory(modelDir, medConfig, BlipVqaModel.class, "visual question answering"));
  }

  /** Wraps an already built model. */
  public static VqaModel of(NDManager root, BlipVqaModel model, BertTokenizer tokenizer, ImagePreprocessor preprocessor) {
    return new VqaModel(new Loaded<>(root, model, tokenizer, preprocessor));
  }

  /** BLIP's VQA decoding: beam 3, max 10, min 1. */
  public static GenerationConfig defaultGeneration() {
    return GenerationConfig.beam(3, 10, 1);
  }

  /** Answers one question about one image with the default decoding. */
  public Answer answer(ImageInput image, String question) {
    return answer(List.of(image), List.of(question), defaultGeneration()).get(0);
  }

  /** Answers {@code questions[i]} about {@code images[i]}. */
  public List<Answer> answer(List<ImageInput> images, List<String> questions, GenerationConfig cfg) {
    return answerDecoded(decodeAll(images), questions, cfg);
  }

  /** Answers questions about decoded images (same length lists). */
  public List<Answer> answerDecoded(List<RgbImage> images, List<String> questions, GenerationConfig cfg) {
    if (images.size() != questions.size()) {
      throw new IllegalArgumentException(images.size() + " images but " + questions.size() + " questions");
    }
    if (images.isEmpty()) {
      return List.of();
    }
    BatchEncoding enc = tokenizer.encodeBatch(questions, Padding.LONGEST, true, MAX_QUESTION_LENGTH).withFirstToken(tokenizer.encId());
    try (NDManager m = callScope()) {
      NDArray embeds = model.imageEmbeds(pixels(m, images));
      Shape qs = new Shape(questions.size(), enc.sequenceLength());
      NDArray question = model.textEncoder().forward(m.create(enc.flatInputIds(), qs), m.create(enc.flatAttentionMask(), qs),
          TextTransformer.Mode.MULTIMODAL, model.textEncoder().crossContext(embeds, null), null, false).lastHiddenState();
      CrossAttentionContext ctx = model.textDecoder().bert().crossContext(question, null);
      GenerationResult res = new Generator(model.textDecoder(), model.config().text().sepTokenId(), model.config().text().padTokenId())
          .generate(ctx, new long[] {model.config().text().bosTokenId()}, cfg);
      List<Answer> out = new ArrayList<>();
      int n = res.sequences().length / images.size();
      for (int i = 0; i < images.size(); i++) {
        long[] ids = res.sequences()[i * n];
        out.add(new Answer(tokenizer.decode(ids, true, true), ids));
      }
      return out;
    }
  }
}
