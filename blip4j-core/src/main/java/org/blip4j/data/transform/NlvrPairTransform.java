package org.blip4j.data.transform;

import java.util.List;
import java.util.SplittableRandom;
import org.blip4j.data.ImageRef;
import org.blip4j.data.Sample;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.RgbImage;

/**
 * The training transform of an NLVR pair ({@code nlvr_dataset.py}, train split): each image goes
 * through BLIP's {@link TrainTransform} on its own random stream (two {@link SplittableRandom#split()}s
 * of the sample's stream, so the result depends only on (seed, epoch, index)); image 0 stays image 0.
 *
 * <p>Flips mirror the pixels only; the sentence is left unchanged. In NLVR sentences "left" and
 * "right" name the position of an image in the pair ("the left image contains a red circle"), not
 * a place inside one image, so mirroring one image does not change the truth of the sentence while
 * swapping its words would (the original applies {@code transform_train}'s plain flip to each image
 * too). The original additionally swaps the two images with probability 0.5, swapping left/right in
 * the sentence when it has them; that is not done here: the pair keeps its order.
 */
public final class NlvrPairTransform {

  /** Normalised CHW pixels of image 0 and image 1, the sentence as given and its truth. */
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

  /** Transforms already decoded images; image 0 draws from the first split of {@code rnd}, image 1 from the second. */
  public Output apply(RgbImage image0, RgbImage image1, String sentence, boolean label, SplittableRandom rnd) {
    SplittableRandom r0 = rnd.split();
    SplittableRandom r1 = rnd.split();
    float[] p0 = transform.apply(image0, null, r0).pixels();
    float[] p1 = transform.apply(image1, null, r1).pixels();
    return new Output(p0, p1, sentence, label);
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
