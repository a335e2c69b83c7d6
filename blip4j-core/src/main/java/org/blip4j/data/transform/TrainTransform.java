package org.blip4j.data.transform;

import java.util.SplittableRandom;
import org.blip4j.image.ImagePreprocessor;
import org.blip4j.image.PilResize;
import org.blip4j.image.RgbImage;

/**
 * BLIP's {@code transform_train} ({@code data/__init__.py}): RandomResizedCrop(size, scale=(0.5,
 * 1), bicubic) → RandomHorizontalFlip(0.5) (caption-aware, see {@link HorizontalFlip}) →
 * RandomAugment(2, 5, BLIP ops) → ToTensor + CLIP normalisation (the eval transform's
 * normalisation, without resizing). Randomness is derived from (seed, epoch, sample index) only,
 * so a sample's output does not depend on the order or thread it is processed in.
 *
 * <p>The caption is returned flipped-consistent but otherwise unchanged; {@code pre_caption} is the
 * dataset's job, as in BLIP.
 */
public final class TrainTransform {

  /** Normalised float32 CHW pixels {@code [3, size, size]} and the (possibly swapped) caption. */
  public record Output(float[] pixels, String caption) {}

  private final RandomResizedCrop crop;
  private final HorizontalFlip flip;
  private final RandAugment augment;
  private final ImagePreprocessor normalizer;

  /** BLIP's training transform at {@code size}: min scale 0.5, {@link FlipPolicy#SWAP}. */
  public TrainTransform(int size) {
    this(size, 0.5, FlipPolicy.SWAP, RandAugment.blip());
  }

  /**
   * @param size output side in pixels
   * @param minScale RandomResizedCrop's smallest area fraction (BLIP config {@code min_scale})
   * @param policy flip policy for left/right captions
   * @param augment the RandAugment stage
   */
  public TrainTransform(int size, double minScale, FlipPolicy policy, RandAugment augment) {
    this.crop = new RandomResizedCrop(size, minScale, 1.0, 3.0 / 4.0, 4.0 / 3.0);
    this.flip = new HorizontalFlip(0.5, policy);
    this.augment = augment;
    this.normalizer = new ImagePreprocessor(size, size, PilResize.Filter.BICUBIC, false, true,
        ImagePreprocessor.DEFAULT_RESCALE, true, ImagePreprocessor.CLIP_MEAN, ImagePreprocessor.CLIP_STD);
  }

  /** The output side in pixels. */
  public int size() {
    return crop.size();
  }

  /** Crop, flip and augment; the 8-bit image before normalisation. */
  public HorizontalFlip.Result augmentImage(RgbImage image, String caption, SplittableRandom rnd) {
    RgbImage cropped = crop.apply(image, rnd);
    HorizontalFlip.Result flipped = flip.apply(cropped, caption, rnd);
    return new HorizontalFlip.Result(augment.apply(flipped.image(), rnd), flipped.caption(), flipped.flipped());
  }

  /** ToTensor + normalisation of an image {@link #augmentImage} returned. */
  public float[] normalize(RgbImage augmented) {
    return normalizer.pixelValues(augmented);
  }

  /** The full transform for sample {@code index} of {@code epoch} in a run seeded with {@code seed}. */
  public Output apply(RgbImage image, String caption, long seed, long epoch, long index) {
    return apply(image, caption, random(seed, epoch, index));
  }

  /** The full transform with the sample's random stream given (e.g. by the data loader). */
  public Output apply(RgbImage image, String caption, SplittableRandom rnd) {
    HorizontalFlip.Result r = augmentImage(image, caption, rnd);
    return new Output(normalize(r.image()), r.caption());
  }

  /** The random stream of one sample: a hash of (seed, epoch, index), independent across samples. */
  public static SplittableRandom random(long seed, long epoch, long index) {
    long h = mix64(seed);
    h = mix64(h ^ (0x9E3779B97F4A7C15L * (epoch + 1)));
    h = mix64(h ^ (0xC2B2AE3D27D4EB4FL * (index + 1)));
    return new SplittableRandom(h);
  }

  private static long mix64(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
