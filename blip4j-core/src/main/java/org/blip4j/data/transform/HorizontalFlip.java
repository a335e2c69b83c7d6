package org.blip4j.data.transform;

import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.blip4j.image.RgbImage;

/**
 * torchvision's {@code RandomHorizontalFlip(p)} made caption-aware: a mirrored image would make
 * "a red circle to the left of a square" false, so a caption that mentions left/right either has
 * the words swapped ({@link FlipPolicy#SWAP}) or the image is not flipped ({@link FlipPolicy#SKIP}).
 * Captions without those words flip freely. One random draw is consumed per call in every case.
 *
 * <p>Swapped words: left/right and leftmost/rightmost, whole words, any case (the case pattern of
 * the original word is kept). "right" in other senses ("all right") is swapped too.
 */
public final class HorizontalFlip {

  /** The (possibly) flipped image, its caption, and whether the pixels were mirrored. */
  public record Result(RgbImage image, String caption, boolean flipped) {}

  private static final Pattern LEFT_RIGHT =
      Pattern.compile("\\b(left|right)(most)?\\b", Pattern.CASE_INSENSITIVE);

  private final double p;
  private final FlipPolicy policy;

  /** BLIP's flip: p = 0.5 with {@link FlipPolicy#SWAP}. */
  public HorizontalFlip() {
    this(0.5, FlipPolicy.SWAP);
  }

  /**
   * @param p flip probability in [0, 1]
   * @param policy what to do with left/right captions
   */
  public HorizontalFlip(double p, FlipPolicy policy) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("flip probability must be in [0, 1], got " + p);
    }
    if (policy == null) {
      throw new IllegalArgumentException("flip policy must not be null");
    }
    this.p = p;
    this.policy = policy;
  }

  /** Flips with probability {@code p} (torchvision: {@code rand < p}), keeping the caption true. */
  public Result apply(RgbImage image, String caption, SplittableRandom rnd) {
    boolean draw = rnd.nextDouble() < p;
    if (!draw) {
      return new Result(image, caption, false);
    }
    boolean lr = caption != null && mentionsLeftRight(caption);
    if (lr && policy == FlipPolicy.SKIP) {
      return new Result(image, caption, false);
    }
    return new Result(mirror(image), lr ? swapLeftRight(caption) : caption, true);
  }

  /** True when the text contains left/right/leftmost/rightmost as a whole word. */
  public static boolean mentionsLeftRight(String text) {
    return LEFT_RIGHT.matcher(text).find();
  }

  /** Swaps left↔right (and leftmost↔rightmost), keeping each word's case pattern. */
  public static String swapLeftRight(String text) {
    Matcher m = LEFT_RIGHT.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String word = m.group(1);
      String swapped = word.equalsIgnoreCase("left") ? "right" : "left";
      String rep = matchCase(word, swapped) + (m.group(2) == null ? "" : m.group(2));
      m.appendReplacement(sb, Matcher.quoteReplacement(rep));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static String matchCase(String model, String word) {
    if (model.equals(model.toUpperCase()) && model.length() > 1) {
      return word.toUpperCase();
    }
    if (Character.isUpperCase(model.charAt(0))) {
      return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
    return word;
  }

  /** The image mirrored left to right (PIL {@code FLIP_LEFT_RIGHT}). */
  public static RgbImage mirror(RgbImage image) {
    int w = image.width();
    int h = image.height();
    byte[] src = image.rgb();
    byte[] out = new byte[src.length];
    for (int y = 0; y < h; y++) {
      int row = 3 * y * w;
      for (int x = 0; x < w; x++) {
        int s = row + 3 * x;
        int d = row + 3 * (w - 1 - x);
        out[d] = src[s];
        out[d + 1] = src[s + 1];
        out[d + 2] = src[s + 2];
      }
    }
    return new RgbImage(w, h, out);
  }
}
