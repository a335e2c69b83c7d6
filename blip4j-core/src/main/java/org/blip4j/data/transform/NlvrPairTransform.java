package org.blip4j.data.transform;

import java.util.List;
import java.util.SplittableRandom;
import org.blip4j.data.ImageRef;
import org.blip4j.data.Sample;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.RgbImage;
import org.blip4j.text.PreCaption;

/**
 * The training transform of an NLVR pair ({@code nlvr_dataset.py}, train split): each image goes
 * through BLIP's {@link TrainTransform} on its own random stream (two {@link SplittableRandom#split()}s
 * of the sample's stream, so the result depends only on (seed, epoch, index)); the sentence is
 * {@code pre_caption}ed (40 words); then, with probability 0.5, the two images change places and
 * the sentence's words "left" and "right" swap with them, so the pair's truth is kept.
 *
 * <p>Flips mirror the pixels only; the sentence keeps its words. In NLVR sentences "left" and
 * "right" name the position of an image in the pair ("the left image contains a red circle"), not
 * a place inside one image, so mirroring one image does not change the truth of the sentence while
 * swapping its words would (the original applies {@code transform_train}'s plain flip to each image
 * too).
 */
public final class NlvrPairTransform {

  /** BLIP's NLVR sentence length in words ({@code nlvr_dataset.py}). */
  public static final int MAX_WORDS = 40;

  /** Normalised CHW pixels of image 0 and image 1 (after any swap), the {@code pre_caption}ed sentence (its left/right swapped with the images) and its truth. */
  public record Output(float[] image0, float[] image1, String sentence, boolean label) {}

  private final TrainTransform transform;
  private final ImageDecoder decoder;

  /** Pairs through {@code transform}, decoded by {@code decoder} (thread-safe, as the loader's workers share it). */
  public NlvrPairTransform(TrainTransform transform, ImageDecoder decoder) {
    this.transform = transform;
    this.decoder = decoder;
  }

  /**
   * Decodes and transforms an NLVR sample; an undecodable image (either one) throws the decoder's
   * error naming that file, which the data loader counts as a bad sample.
   */
  public Output apply(Sample sample, SplittableRandom rnd) {
    List<ImageRef> refs = images(sample);
    return apply(refs.get(0).decode(decoder), refs.get(1).decode(decoder), sample.caption(), label(sample), rnd);
  }

  /**
   * Transforms already decoded images; image 0 draws from the first split of {@code rnd}, image 1
   * from the second, and the swap from {@code rnd} itself afterwards.
   */
  public Output apply(RgbImage image0, RgbImage image1, String sentence, boolean label, SplittableRandom rnd) {
    SplittableRandom r0 = rnd.split();
    SplittableRandom r1 = rnd.split();
    float[] p0 = transform.apply(image0, null, r0).pixels();
    float[] p1 = transform.apply(image1, null, r1).pixels();
    String text = PreCaption.preCaption(sentence, MAX_WORDS);
    return rnd.nextDouble() < 0.5 ? new Output(p0, p1, text, label) : new Output(p1, p0, swapLeftRight(text), label);
  }

  /** The words "left" and "right" of a {@code pre_caption}ed sentence exchanged (whole words split on spaces, as the original). */
  static String swapLeftRight(String sentence) {
    String[] words = sentence.split(" ", -1);
    for (int i = 0; i < words.length; i++) {
      words[i] = switch (words[i]) {
        case "left" -> "right";
        case "right" -> "left";
        default -> words[i];
      };
    }
    return String.join(" ", words);
  }

  /** Whether {@code sample} is an NLVR record (two images in {@code meta.images}, a Boolean {@code meta.label}). */
  public static boolean isNlvr(Sample sample) {
    return sample.meta().get("images") instanceof List<?> l && l.size() == 2 && l.get(0) instanceof ImageRef
        && l.get(1) instanceof ImageRef && sample.meta().get("label") instanceof Boolean;
  }

  /** The two image references of an NLVR sample. */
  @SuppressWarnings("unchecked")
  public static List<ImageRef> images(Sample sample) {
    requireNlvr(sample);
    return (List<ImageRef>) sample.meta().get("images");
  }

  /** The label of an NLVR sample. */
  public static boolean label(Sample sample) {
    requireNlvr(sample);
    return (Boolean) sample.meta().get("label");
  }

  private static void requireNlvr(Sample sample) {
    if (!isNlvr(sample)) {
      throw new IllegalArgumentException("sample " + sample.key() + " is not an NLVR record"
          + " ({\"images\": [two paths], \"sentence\": ..., \"label\": \"True|False\"})");
    }
  }
}
