package org.blip4j.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.blip4j.image.ImagePreprocessor;
import org.blip4j.image.RgbImage;
import org.blip4j.model.BlipNlvrModel;
import org.blip4j.text.BatchEncoding;
import org.blip4j.text.BertTokenizer;
import org.blip4j.text.Padding;

/**
 * NLVR2 (natural language for visual reasoning) with a {@code BLIP_NLVR} model: is a sentence true
 * of a pair of images? As the original {@code BLIP_NLVR.forward}: one ViT pass over the left images
 * followed by the right images, split in two; the sentences tokenized with padding to the longest
 * and {@code [ENC]} in place of {@code [CLS]}; the twin-cross-attention encoder's first token through
 * {@code cls_head}. Texts are taken as given (the original's NLVR dataset applies {@code pre_caption}
 * before the model; do so with {@link org.blip4j.text.PreCaption} if you want the same). Thread-safe.
 */
public final class NlvrClassifier extends BlipTask<BlipNlvrModel> {

  /**
   * One judgement.
   *
   * @param prediction whether the sentence is judged true of the pair (logit 1 > logit 0)
   * @param probTrue softmax of the logits at index 1
   * @param logits the two {@code cls_head} logits: [false, true]
   */
  public record Prediction(boolean prediction, float probTrue, float[] logits) {}

  private NlvrClassifier(Loaded<BlipNlvrModel> l) {
    super(l.root(), l.model(), l.tokenizer(), l.preprocessor());
  }

  /** Loads a {@code BlipForNlvr2} model: our HF-layout directory or an original {@code model_base_nlvr.pth}. */
  public static NlvrClassifier load(Path model) throws IOException {
    return new NlvrClassifier(loadDirectory(model, BlipNlvrModel.class, "NLVR"));
  }

  /** Loads an original salesforce/BLIP {@code .pth} with its BERT config {@code medConfig} (null: beside the file), or an HF directory. */
  public static NlvrClassifier load(Path model, Path medConfig) throws IOException {
    return new NlvrClassifier(loadDirectory(model, medConfig, BlipNlvrModel.class, "NLVR"));
  }

  /** Wraps an already built model. */
  public static NlvrClassifier of(NDManager root, BlipNlvrModel model, BertTokenizer tokenizer, ImagePreprocessor preprocessor) {
    return new NlvrClassifier(new Loaded<>(root, model, tokenizer, preprocessor));
  }

  /** Judges {@code text} about the pair (left {@code a}, right {@code b}); a bad image fails naming it. */
  public Prediction predict(ImageInput a, ImageInput b, String text) {
    return predict(List.of(a.decode(decoder)), List.of(b.decode(decoder)), List.of(text)).get(0);
  }

  /** Judges {@code texts.get(i)} about the pair ({@code a.get(i)}, {@code b.get(i)}), as one batch. */
  public List<Prediction> predict(List<RgbImage> a, List<RgbImage> b, List<String> texts) {
    int n = texts.size();
    if (n == 0 || a.size() != n || b.size() != n) {
      throw new IllegalArgumentException("NLVR needs one left image, one right image and one text per item, got "
          + a.size() + " left, " + b.size() + " right and " + n + " texts");
    }
    // no truncation in the original; cut only where the position embeddings end
    BatchEncoding enc = tokenizer.encodeBatch(texts, Padding.LONGEST, true, model.config().text().maxPositionEmbeddings())
        .withFirstToken(tokenizer.encId());
    List<RgbImage> both = new ArrayList<>(a);
    both.addAll(b);
    try (NDManager m = callScope()) {
      NDArray embeds = model.imageEmbeds(pixels(m, both)); // [2n, T, D]
      NDArray left = embeds.get(new NDIndex("0:" + n));
      NDArray right = embeds.get(new NDIndex(n + ":"));
      Shape ts = new Shape(n, enc.sequenceLength());
      NDArray ids = m.create(enc.flatInputIds(), ts);
      NDArray mask = m.create(enc.flatAttentionMask(), ts);
      NDArray logits = model.logits(model.textStates(left, right, ids, mask)); // [n, 2]
      float[] l = logits.toFloatArray();
      float[] p = logits.softmax(-1).toFloatArray();
      List<Prediction> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        float l0 = l[2 * i];
        float l1 = l[2 * i + 1];
        out.add(new Prediction(l1 > l0, p[2 * i + 1], new float[] {l0, l1}));
      }
      return out;
    }
  }
}
