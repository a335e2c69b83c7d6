package org.blip4j.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.blip4j.data.BadReason;
import org.blip4j.data.BadSampleCounter;
import org.blip4j.data.Sample;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.RgbImage;
import org.blip4j.task.ImageInput;
import org.blip4j.task.ImageTextMatcher;
import org.blip4j.task.ImageTextMatcher.FirstToken;
import org.blip4j.text.PreCaption;

/**
 * Image-text retrieval evaluation as salesforce/BLIP's {@code train_retrieval.py evaluation()} +
 * {@code itm_eval}: every caption of the split ({@link PreCaption#preCaption pre_caption}, 30 words)
 * is a text, every record an image; text {@code t} belongs to the image of its record.
 *
 * <ol>
 *   <li>ITC: L2-normalised {@code vision_proj}/{@code text_proj} features ({@code [CLS]} first) and
 *       their similarity matrix {@code sims} [images, texts];
 *   <li>for each image, its {@code k_test} most similar texts are re-scored with
 *       {@code itm_head(...)[1] + sims} (the image-grounded encoder, {@code [ENC]} first), every other
 *       entry is -100 ({@code scoresI2t}); likewise for each text its {@code k_test} most similar
 *       images ({@code scoresT2i});
 *   <li>{@link RetrievalMetrics} over both matrices.
 * </ol>
 *
 * {@link Scoring#ITC} skips step 2: the ITC similarities alone rank every text and image, as BLIP's
 * unimodal encoders do without the ITM pass. Either way the result also holds the ITC-only recall
 * ({@link Result#itcRecall()}), which costs nothing beyond step 1. On the Shapes world the two disagree:
 * ITM judges whether a caption is true of an image, not whether it is the most specific true one, and a
 * Shapes caption is often true of several images (stop 27: the seed-42 C+F model of {@code reproduce
 * --scale full}, TR@1 32.0 with ITM + ITC, 58.7 with ITC alone).
 *
 * Differences in execution, not in result: the ITM score of a pair is computed once even when it is
 * needed for both directions (the value is the same); each image is encoded twice (once for its ITC
 * feature, once for the ITM pass, where it is shared by all the texts it is scored with) instead of
 * keeping every image's patch embeddings in memory; texts are padded to the longest of their ITM
 * batch rather than to 35 tokens (padding is masked); {@code k_test} larger than the number of texts
 * or images means all of them. An image that cannot be decoded is skipped with its captions and
 * counted.
 */
public final class RetrievalEvaluation {
  /** BLIP's retrieval text length in words ({@code re_eval_dataset max_words}). */
  public static final int MAX_WORDS = 30;
  /** The score of entries outside the top {@code k_test}. */
  public static final float FILLER = -100f;

  /**
   * Settings.
   *
   * @param kTest texts re-ranked per image and images per text (BLIP: 256 for COCO, 128 for Flickr30k)
   * @param batchSize images per ITC vision batch, texts per ITC batch and per ITM batch
   * @param firstToken first token of the image-grounded encoder ({@code [ENC]} as BLIP)
   * @param scoring how the ranked scores are made ({@link Scoring#ITM_ITC} as BLIP)
   */
  public record Options(int kTest, int batchSize, FirstToken firstToken, Scoring scoring) {
    /** Validates. */
    public Options {
      Objects.requireNonNull(scoring, "scoring");
      if (kTest < 1) {
        throw new IllegalArgumentException("k_test must be >= 1, got " + kTest);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
      }
      Objects.requireNonNull(firstToken, "firstToken");
    }

    /** BLIP's scoring, {@link Scoring#ITM_ITC}. */
    public Options(int kTest, int batchSize, FirstToken firstToken) {
      this(kTest, batchSize, firstToken, Scoring.ITM_ITC);
    }

    /** k_test 128, batch 128, {@code [ENC]}, ITM + ITC. */
    public static Options defaults() {
      return new Options(128, 128, FirstToken.ENC);
    }
  }

  /** How a pair's ranked score is made. */
  public enum Scoring {
    /** BLIP's: {@code itm_head(...)[1] + sims} for the top {@code k_test}, -100 elsewhere. */
    ITM_ITC,
    /** The ITC similarity alone, for every pair; no ITM pass ({@code k_test} is not used). */
    ITC
  }

  /**
   * One evaluated image.
   *
   * @param rank best 0-based position of one of its texts in its row of {@code scoresI2t}
   * @param top the 5 best-scored texts (indices into {@link Result#texts()}), best first
   */
  public record ImageRanking(String key, String image, int rank, int[] top) {}

  /**
   * One evaluated text.
   *
   * @param image index of its image in {@link Result#images()}
   * @param rank 0-based position of its image in its row of {@code scoresT2i}
   * @param top the 5 best-scored images, best first
   */
  public record TextRanking(String text, int image, int rank, int[] top) {}

  /**
   * The outcome.
   *
   * @param metrics {@link RetrievalMetrics.Result#toMap()} (percent)
   * @param sims ITC similarities [images, texts]
   * @param scoresI2t ranked scores [images, texts] (re-ranked by ITM unless {@link Scoring#ITC})
   * @param scoresT2i ranked scores [texts, images]
   * @param recall the recall behind {@code metrics}
   * @param itcRecall the recall of {@code sims} alone (equal to {@code recall} under {@link Scoring#ITC})
   */
  public record Result(
      Map<String, Double> metrics,
      Map<BadReason, Long> skippedByReason,
      List<ImageRanking> images,
      List<TextRanking> texts,
      float[][] sims,
      float[][] scoresI2t,
      float[][] scoresT2i,
      RetrievalMetrics.Result recall,
      RetrievalMetrics.Result itcRecall) implements EvalResult {
    /** Images evaluated. */
    @Override
    public int n() {
      return images.size();
    }
  }

  private RetrievalEvaluation() {}

  /** Reads {@code annotations} (images under {@code imageRoot}) and evaluates. */
  public static Result evaluate(ImageTextMatcher matcher, Path annotations, Path imageRoot, Options options, EvalProgress progress)
      throws IOException {
    BadSampleCounter bad = new BadSampleCounter();
    List<Sample> samples = EvalSamples.read(annotations, imageRoot, EvalSamples.Kind.CAPTION, bad);
    return evaluate(matcher, samples, options, progress, bad);
  }

  /** Evaluates caption-test samples; bad images are reported to {@code bad} and skipped. */
  public static Result evaluate(ImageTextMatcher matcher, List<Sample> samples, Options options, EvalProgress progress,
      BadSampleCounter bad) {
    ImageDecoder decoder = new ImageDecoder();
    // 1. ITC image features (decoding failures drop the record), in vision batches
    List<Sample> kept = new ArrayList<>();
    List<float[]> imageFeats = new ArrayList<>();
    List<ImageInput> batch = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      Sample s = samples.get(i);
      RgbImage img = EvalSamples.decode(s.image(), decoder, s.key(), bad);
      if (img != null) {
        kept.add(s);
        batch.add(ImageInput.of(img, s.image().source()));
      }
      if (batch.size() == options.batchSize() || (i == samples.size() - 1 && !batch.isEmpty())) {
        imageFeats.addAll(Arrays.asList(matcher.imageFeatures(batch)));
        batch.clear();
      }
      progress.update("ITC image features", i + 1, samples.size());
    }
    if (kept.isEmpty()) {
      throw new EvalInputException("no image could be evaluated (" + bad.summary() + ")");
    }
    // 2. texts and ground truth
    List<String> texts = new ArrayList<>();
    int[][] img2txt = new int[kept.size()][];
    List<Integer> txt2imgList = new ArrayList<>();
    for (int i = 0; i < kept.size(); i++) {
      List<String> caps = kept.get(i).captions();
      img2txt[i] = new int[caps.size()];
      for (int j = 0; j < caps.size(); j++) {
        img2txt[i][j] = texts.size();
        texts.add(PreCaption.preCaption(caps.get(j), MAX_WORDS));
        txt2imgList.add(i);
      }
    }
    int[] txt2img = txt2imgList.stream().mapToInt(Integer::intValue).toArray();
    int nI = kept.size();
    int nT = texts.size();
    float[][] textFeats = new float[nT][];
    for (int start = 0; start < nT; start += options.batchSize()) {
      float[][] f = matcher.textFeatures(texts.subList(start, Math.min(nT, start + options.batchSize())));
      System.arraycopy(f, 0, textFeats, start, f.length);
      progress.update("ITC text features", Math.min(nT, start + options.batchSize()), nT);
    }
    float[][] sims = new float[nI][nT];
    for (int i = 0; i < nI; i++) {
      for (int t = 0; t < nT; t++) {
        sims[i][t] = dot(imageFeats.get(i), textFeats[t]);
      }
    }
    float[][] simsT2i = transpose(sims);
    RetrievalMetrics.Result itcRecall = RetrievalMetrics.compute(sims, simsT2i, txt2img, img2txt);
    float[][] scoresI2t = sims;
    float[][] scoresT2i = simsT2i;
    RetrievalMetrics.Result recall = itcRecall;
    if (options.scoring() == Scoring.ITM_ITC) {
      float[][][] reranked = itmRerank(matcher, kept, texts, sims, simsT2i, options, decoder, progress);
      scoresI2t = reranked[0];
      scoresT2i = reranked[1];
      recall = RetrievalMetrics.compute(scoresI2t, scoresT2i, txt2img, img2txt);
    }
    List<ImageRanking> images = new ArrayList<>(nI);
    for (int i = 0; i < nI; i++) {
      images.add(new ImageRanking(kept.get(i).key(), kept.get(i).image().source(), recall.ranksI2t()[i], topK(scoresI2t[i], Math.min(5, nT))));
    }
    List<TextRanking> textRankings = new ArrayList<>(nT);
    for (int t = 0; t < nT; t++) {
      textRankings.add(new TextRanking(texts.get(t), txt2img[t], recall.ranksT2i()[t], topK(scoresT2i[t], Math.min(5, nI))));
    }
    return new Result(recall.toMap(), bad.counts(), List.copyOf(images), List.copyOf(textRankings), sims, scoresI2t, scoresT2i, recall, itcRecall);
  }

  /**
   * Steps 3 and 4: for each image its {@code k_test} most similar texts, for each text its {@code k_test} most similar
   * images, scored {@code itm_head(...)[1] + sims}; -100 elsewhere. Returns {scoresI2t, scoresT2i}.
   */
  private static float[][][] itmRerank(ImageTextMatcher matcher, List<Sample> kept, List<String> texts, float[][] sims, float[][] simsT2i,
      Options options, ImageDecoder decoder, EvalProgress progress) {
    int nI = sims.length;
    int nT = texts.size();
    // 3. top k_test per image and per text; which pairs each image must be scored with
    int kTexts = Math.min(options.kTest(), nT);
    int kImages = Math.min(options.kTest(), nI);
    BitSet[] i2tTop = new BitSet[nI];
    BitSet[] needed = new BitSet[nI];
    for (int i = 0; i < nI; i++) {
      i2tTop[i] = new BitSet(nT);
      for (int t : topK(sims[i], kTexts)) {
        i2tTop[i].set(t);
      }
      needed[i] = (BitSet) i2tTop[i].clone();
    }
    BitSet[] t2iTop = new BitSet[nT];
    for (int t = 0; t < nT; t++) {
      t2iTop[t] = new BitSet(nI);
      for (int i : topK(simsT2i[t], kImages)) {
        t2iTop[t].set(i);
        needed[i].set(t);
      }
    }
    // 4. ITM re-ranking: one image at a time, scored against every text it needs
    float[][] scoresI2t = filled(nI, nT);
    float[][] scoresT2i = filled(nT, nI);
    for (int i = 0; i < nI; i++) {
      int[] ts = needed[i].stream().toArray();
      List<String> chunk = new ArrayList<>(ts.length);
      for (int t : ts) {
        chunk.add(texts.get(t));
      }
      RgbImage img = kept.get(i).image().decode(decoder);
      float[] itm = matcher.itmMatchLogits(img, chunk, options.firstToken(), options.batchSize());
      for (int j = 0; j < ts.length; j++) {
        int t = ts[j];
        float score = itm[j] + sims[i][t];
        if (i2tTop[i].get(t)) {
          scoresI2t[i][t] = score;
        }
        if (t2iTop[t].get(i)) {
          scoresT2i[t][i] = score;
        }
      }
      progress.update("ITM re-ranking", i + 1, nI);
    }
    return new float[][][] {scoresI2t, scoresT2i};
  }

  /** Indices of the {@code k} largest values, largest first (ties: lower index first). */
  static int[] topK(float[] row, int k) {
    Integer[] idx = new Integer[row.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (a, b) -> Float.compare(row[b], row[a]));
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      out[i] = idx[i];
    }
    return out;
  }

  private static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static float[][] transpose(float[][] m) {
    float[][] t = new float[m[0].length][m.length];
    for (int i = 0; i < m.length; i++) {
      for (int j = 0; j < m[i].length; j++) {
        t[j][i] = m[i][j];
      }
    }
    return t;
  }

  private static float[][] filled(int rows, int cols) {
    float[][] m = new float[rows][cols];
    for (float[] r : m) {
      Arrays.fill(r, FILLER);
    }
    return m;
  }
}
