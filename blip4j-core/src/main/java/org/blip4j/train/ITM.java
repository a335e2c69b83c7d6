package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.blip4j.model.BlipPretrainModel;

/**
 * Image-text matching with hard negatives (BLIP §3.2): for every image a negative text, and for
 * every text a negative image, drawn with probability ∝ softmax(contrastive similarity) over the
 * batch (the pair itself excluded), so the ITM head trains on the confusable pairs ({@link Mining}
 * offers random ones instead). Binary cross-entropy over B positives + 2B negatives; the
 * image-grounded encoder reads [ENC] first.
 */
public final class ITM {
  private ITM() {}

  /** Chosen negatives: {@code imageForText[b]} = image paired with text b; {@code textForImage[b]} = text paired with image b. */
  public record Negatives(long[] imageForText, long[] textForImage) {}

  /**
   * How the negatives are drawn from the batch. {@code HARD} is BLIP's: ∝ softmax(contrastive
   * similarity), the confusable pairs. {@code RANDOM} draws every other pair alike. While the model
   * is weak, its hard negatives look like positives (on Shapes they are also true of the image 17 % of
   * the time, random ones 7 %), and the head learns to doubt every plausible pair: the Shapes filter
   * fine-tuned with hard negatives gave every web caption an ITM probability of 0.2–0.5, so CapFilt's
   * threshold of 0.5 kept none; with random negatives it keeps two thirds of the clean ones.
   */
  public enum Mining {
    HARD, RANDOM;

    /** {@code "hard"} or {@code "random"}, as in configs. */
    public static Mining of(String name) {
      return switch (name) {
        case "hard" -> HARD;
        case "random" -> RANDOM;
        default -> throw new IllegalArgumentException("itm_negatives must be 'hard' or 'random', got '" + name + "'");
      };
    }
  }

  /** Which (image, text) pairs of a batch the data already pairs: these are never drawn as negatives. */
  @FunctionalInterface
  public interface Paired {
    /** True when the batch's text {@code text} is known to match its image {@code image}. */
    boolean test(int image, int text);

    /** Only each pair itself ({@code ids} null) or every pair whose image ids are equal ({@code blip_retrieval.py}). */
    static Paired byImageId(long[] ids) {
      return ids == null ? (image, text) -> image == text : (image, text) -> ids[image] == ids[text];
    }

    /**
     * {@link #byImageId}, and also every pair whose text is one the data pairs with that image: a
     * caption written for several images ("there are two shapes") is not a negative of any of them.
     *
     * @param ids image id of each batch pair
     * @param captions caption of each batch pair, as compared (BLIP's {@code pre_caption})
     * @param captionsOfImage every caption the data pairs with each image id, in the same form
     */
    static Paired byImageIdAndCaption(long[] ids, List<String> captions, Map<Long, Set<String>> captionsOfImage) {
      Paired sameImage = byImageId(ids);
      return (image, text) -> sameImage.test(image, text) || captionsOfImage.getOrDefault(ids[image], Set.of()).contains(captions.get(text));
    }
  }

  /**
   * For every image a negative text and for every text a negative image from the batch, seeded, one
   * draw per row, never a pair {@code paired} accepts ({@link Paired#byImageId}: {@code blip_retrieval.py}'s
   * rule, several captions of one image in a batch are not negatives of each other). HARD as the
   * original: weights softmax(in-batch part of the ITC similarities) + 1e-4; RANDOM: equal weights (the
   * similarities only give the batch size).
   */
  public static Negatives sampleNegatives(Mining mining, NDArray simI2t, NDArray simT2i, Paired paired, SplittableRandom rnd) {
    int b = Math.toIntExact(simI2t.getShape().get(0));
    Paired textRows = (text, image) -> paired.test(image, text);
    if (mining == Mining.RANDOM) {
      float[] uniform = new float[b * b];
      Arrays.fill(uniform, 1f / b);
      return new Negatives(draw(uniform, b, textRows, rnd), draw(uniform, b, paired, rnd));
    }
    float[] t2i = simT2i.get(new NDIndex(":, :" + b)).stopGradient().softmax(1).toFloatArray();
    float[] i2t = simI2t.get(new NDIndex(":, :" + b)).stopGradient().softmax(1).toFloatArray();
    return new Negatives(draw(t2i, b, textRows, rnd), draw(i2t, b, paired, rnd));
  }

  /** One column per row, ∝ {@code probs} + 1e-4 over the columns {@code excluded} rejects; a row that excludes all takes column 0 (1 for row 0). */
  private static long[] draw(float[] probs, int b, Paired excluded, SplittableRandom rnd) {
    if (b < 2) {
      throw new IllegalArgumentException("ITM negatives need a batch of at least 2, got " + b);
    }
    long[] out = new long[b];
    for (int row = 0; row < b; row++) {
      double[] w = new double[b];
      double sum = 0;
      for (int j = 0; j < b; j++) {
        w[j] = excluded.test(row, j) ? 0 : probs[row * b + j] + 1e-4;
        sum += w[j];
      }
      double u = rnd.nextDouble() * sum;
      int pick = row == 0 ? 1 : 0;
      for (int j = 0; j < b; j++) {
        u -= w[j];
        if (w[j] > 0 && u < 0) {
          pick = j;
          break;
        }
      }
      out[row] = pick;
    }
    return out;
  }

  /**
   * The ITM loss over positives, (negative image, text) and (image, negative text) pairs.
   *
   * @param encIds [ENC]-first ids [B, L]
   * @param mask attention mask [B, L]
   * @param imageEmbeds [B, N, H] (with gradient)
   */
  public static NDArray loss(BlipPretrainModel model, NDArray encIds, NDArray mask, NDArray imageEmbeds, Negatives neg) {
    NDManager m = encIds.getManager();
    long b = encIds.getShape().get(0);
    NDArray negImages = imageEmbeds.get(m.create(neg.imageForText()));
    NDArray ids = NDArrays.concat(new NDList(encIds, encIds, encIds.get(m.create(neg.textForImage()))), 0);
    NDArray masks = NDArrays.concat(new NDList(mask, mask, mask.get(m.create(neg.textForImage()))), 0);
    NDArray images = NDArrays.concat(new NDList(imageEmbeds, negImages, imageEmbeds), 0);
    NDArray logits = model.itmLogits(ids, masks, images);
    long[] labels = new long[(int) (3 * b)];
    for (int i = 0; i < b; i++) {
      labels[i] = 1;
    }
    NDArray target = m.create(labels).oneHot(2);
    return logits.logSoftmax(-1).mul(target).sum(new int[] {1}).mean().neg();
  }
}
