package org.blip4j.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.blip4j.image.ImagePreprocessor;
import org.blip4j.image.RgbImage;
import org.blip4j.model.BlipRetrievalModel;
import org.blip4j.model.CrossAttentionContext;
import org.blip4j.model.Similarity;
import org.blip4j.text.BatchEncoding;
import org.blip4j.text.BertTokenizer;
import org.blip4j.text.Padding;

/**
 * Image-text matching with a {@code BlipForImageTextRetrieval} model: the ITM head's match
 * probability and logits (image-grounded encoder) and the ITC cosine (unimodal encoders +
 * projections). The first token is {@code [ENC]} by default, as original BLIP's retrieval and
 * pre-training; {@link FirstToken#CLS} gives what HF's {@code BlipProcessor} feeds. The image's
 * cross-attention keys/values are computed once and shared by all its texts. Thread-safe.
 */
public final class ImageTextMatcher extends BlipTask<BlipRetrievalModel> {
  /** BLIP's text length for retrieval. */
  public static final int MAX_TEXT_LENGTH = 35;

  /** Which token starts the image-grounded encoder's input. */
  public enum FirstToken {
    /** {@code [ENC]} (original BLIP). */
    ENC,
    /** {@code [CLS]} (HF processor). */
    CLS
  }

  /** One (image, text) score. */
  public record Match(String text, float itmMatchProb, float[] itmLogits, float itcCosine) {}

  private ImageTextMatcher(Loaded<BlipRetrievalModel> l) {
    super(l.root(), l.model(), l.tokenizer(), l.preprocessor());
  }

  /** Loads an HF {@code BlipForImageTextRetrieval} directory. */
  public static ImageTextMatcher load(Path modelDir) throws IOException {
    return new ImageTextMatcher(loadDirectory(modelDir, BlipRetrievalModel.class, "image-text matching"));
  }

  /** Loads an original salesforce/BLIP {@code .pth} with its BERT config {@code medConfig} (null: beside the file), or an HF directory. */
  public static ImageTextMatcher load(Path modelDir, Path medConfig) throws IOException {
    return new ImageTextMatcher(loadDirectory(modelDir, medConfig, BlipRetrievalModel.class, "image-text matching"));
  }

  /** Wraps an already built model. */
  public static ImageTextMatcher of(NDManager root, BlipRetrievalModel model, BertTokenizer tokenizer, ImagePreprocessor preprocessor) {
    return new ImageTextMatcher(new Loaded<>(root, model, tokenizer, preprocessor));
  }

  /** Scores {@code texts} against one image, {@code [ENC]} first. */
  public List<Match> match(ImageInput image, List<String> texts) {
    return match(image, texts, FirstToken.ENC);
  }

  /** Scores {@code texts} against one image. */
  public List<Match> match(ImageInput image, List<String> texts, FirstToken first) {
    return matchDecoded(image.decode(decoder), texts, first);
  }

  /** Scores {@code texts} against one decoded image. */
  public List<Match> matchDecoded(RgbImage image, List<String> texts, FirstToken first) {
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("at least one text is needed");
    }
    BatchEncoding enc = tokenizer.encodeBatch(texts, Padding.LONGEST, true, MAX_TEXT_LENGTH);
    try (NDManager m = callScope()) {
      NDArray pixels = pixels(m, List.of(image));
      NDArray embeds = model.imageEmbeds(pixels);
      Shape ts = new Shape(texts.size(), enc.sequenceLength());
      NDArray mask = m.create(enc.flatAttentionMask(), ts);
      NDArray itcIds = m.create(enc.flatInputIds(), ts);
      BatchEncoding itm = first == FirstToken.ENC ? enc.withFirstToken(tokenizer.encId()) : enc;
      NDArray itmIds = m.create(itm.flatInputIds(), ts);
      CrossAttentionContext ctx = model.textEncoder().crossContext(embeds, null);
      float[] logits = model.itmLogits(model.multimodalStates(itmIds, mask, ctx)).toFloatArray();
      float[] probs = m.create(logits, new Shape(texts.size(), 2)).softmax(-1).toFloatArray();
      float[] cos = Similarity.cosine(model.imageFeatures(embeds), model.textFeatures(itcIds, mask)).toFloatArray();
      List<Match> out = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        out.add(new Match(texts.get(i), probs[2 * i + 1], new float[] {logits[2 * i], logits[2 * i + 1]}, cos[i]));
      }
      return out;
    }
  }

  /**
   * The ITM match logits (index 1 of the head's output, before softmax) of {@code texts} against one
   * decoded image: the image is encoded once and its cross-attention keys/values shared, the texts
   * are scored {@code batchSize} at a time (padded to the longest of each batch, at most
   * {@link #MAX_TEXT_LENGTH} tokens). This is the score that BLIP's retrieval evaluation adds to the
   * ITC similarity.
   */
  public float[] itmMatchLogits(RgbImage image, List<String> texts, FirstToken first, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    float[] out = new float[texts.size()];
    if (texts.isEmpty()) {
      return out;
    }
    try (NDManager m = callScope()) {
      NDArray embeds = model.imageEmbeds(pixels(m, List.of(image)));
      CrossAttentionContext ctx = model.textEncoder().crossContext(embeds, null);
      for (int start = 0; start < texts.size(); start += batchSize) {
        List<String> chunk = texts.subList(start, Math.min(texts.size(), start + batchSize));
        BatchEncoding enc = tokenizer.encodeBatch(chunk, Padding.LONGEST, true, MAX_TEXT_LENGTH);
        if (first == FirstToken.ENC) {
          enc = enc.withFirstToken(tokenizer.encId());
        }
        try (NDManager c = m.newSubManager()) {
          Shape ts = new Shape(chunk.size(), enc.sequenceLength());
          NDArray logits = model.itmLogits(model.multimodalStates(c.create(enc.flatInputIds(), ts), c.create(enc.flatAttentionMask(), ts), ctx));
          float[] l = logits.toFloatArray();
          for (int i = 0; i < chunk.size(); i++) {
            out[start + i] = l[2 * i + 1];
          }
        }
      }
    }
    return out;
  }

  /**
   * ITM match probabilities (softmax of the head's two logits, index 1) of {@code texts.get(i)}
   * against {@code images.get(i)}, for a batch of images in one call: the images go through the ViT
   * together, every text of every image through the image-grounded encoder together (padded to the
   * longest, at most {@link #MAX_TEXT_LENGTH} tokens), each text attending to its own image.
   * Returns one array per image, in the order of its texts.
   */
  public float[][] itmMatchProbabilities(List<RgbImage> images, List<List<String>> texts, FirstToken first) {
    if (images.size() != texts.size()) {
      throw new IllegalArgumentException("expected one text list per image (" + images.size() + "), got " + texts.size());
    }
    float[][] out = new float[images.size()][];
    List<String> flat = new ArrayList<>();
    List<Long> owner = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      out[i] = new float[texts.get(i).size()];
      for (String t : texts.get(i)) {
        flat.add(t);
        owner.add((long) i);
      }
    }
    if (flat.isEmpty()) {
      return out;
    }
    BatchEncoding enc = tokenizer.encodeBatch(flat, Padding.LONGEST, true, MAX_TEXT_LENGTH);
    if (first == FirstToken.ENC) {
      enc = enc.withFirstToken(tokenizer.encId());
    }
    try (NDManager m = callScope()) {
      NDArray embeds = model.imageEmbeds(pixels(m, images));
      NDArray perText = embeds.get(m.create(owner.stream().mapToLong(Long::longValue).toArray())); // [T, L, D]
      CrossAttentionContext ctx = model.textEncoder().crossContext(perText, null);
      Shape ts = new Shape(flat.size(), enc.sequenceLength());
      NDArray logits = model.itmLogits(model.multimodalStates(m.create(enc.flatInputIds(), ts), m.create(enc.flatAttentionMask(), ts), ctx));
      float[] probs = logits.softmax(-1).toFloatArray();
      int k = 0;
      for (float[] row : out) {
        for (int j = 0; j < row.length; j++) {
          row[j] = probs[2 * k++ + 1];
        }
      }
    }
    return out;
  }

  /** L2-normalised ITC features of texts [T, D] as float rows. */
  public float[][] textFeatures(List<String> texts) {
    BatchEncoding enc = tokenizer.encodeBatch(texts, Padding.LONGEST, true, MAX_TEXT_LENGTH);
    try (NDManager m = callScope()) {
      Shape ts = new Shape(texts.size(), enc.sequenceLength());
      NDArray f = model.textFeatures(m.create(enc.flatInputIds(), ts), m.create(enc.flatAttentionMask(), ts));
      return rows(f.toFloatArray(), texts.size());
    }
  }

  /** L2-normalised ITC features of images [B, D] as float rows. */
  public float[][] imageFeatures(List<ImageInput> images) {
    List<RgbImage> decoded = decodeAll(images);
    try (NDManager m = callScope()) {
      return rows(model.imageFeatures(model.imageEmbeds(pixels(m, decoded))).toFloatArray(), decoded.size());
    }
  }

  private static float[][] rows(float[] flat, int n) {
    int d = flat.length / n;
    float[][] out = new float[n][d];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * d, out[i], 0, d);
    }
    return out;
  }
}
