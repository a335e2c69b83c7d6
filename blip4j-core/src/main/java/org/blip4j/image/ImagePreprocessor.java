package org.blip4j.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.blip4j.image.PilResize.Filter;

/**
 * BLIP's evaluation image transform: resize to {@code height x width} with Pillow's BICUBIC
 * ({@link PilResize}), rescale by 1/255, normalise with the OpenAI CLIP mean/std, CHW float32.
 *
 * <p>The arithmetic is HF {@code BlipImageProcessor}'s (transformers 4.32): {@code rescale} multiplies
 * the uint8 value by the factor in double and rounds to float32; {@code normalize} computes
 * {@code (x - mean) / std} in float32 with mean/std rounded to float32. For the default factor this is
 * bitwise equal to torchvision's {@code ToTensor()} + {@code Normalize} (the original BLIP transform).
 * Since each output depends only on one uint8 value and its channel, it is a 3 x 256 lookup table.
 *
 * <p>Input is an already decoded {@link RgbImage}, i.e. {@code do_convert_rgb} is always done by the
 * decoder. Instances are immutable and thread-safe.
 */
public final class ImagePreprocessor {
  /** OpenAI CLIP mean, as used by BLIP. */
  public static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
  /** OpenAI CLIP standard deviation, as used by BLIP. */
  public static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};
  /** HF's default {@code rescale_factor}, 1/255. */
  public static final double DEFAULT_RESCALE = 1.0 / 255;
  /** BLIP's default image size for captioning/retrieval/VQA checkpoints. */
  public static final int DEFAULT_SIZE = 384;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final int height;
  private final int width;
  private final Filter filter;
  private final boolean doResize;
  private final float[][] lut = new float[3][256];

  /** The BLIP transform at {@code size x size} with BICUBIC, 1/255 and CLIP mean/std. */
  public ImagePreprocessor(int size) {
    this(size, size, Filter.BICUBIC, true, true, DEFAULT_RESCALE, true, CLIP_MEAN, CLIP_STD);
  }

  /**
   * A fully specified transform (the fields of HF's {@code preprocessor_config.json}).
   *
   * @param height output height when {@code doResize}
   * @param width output width when {@code doResize}
   * @param filter resampling filter
   * @param doResize resize to {@code height x width}; when false the image keeps its size
   * @param doRescale multiply by {@code rescaleFactor}
   * @param rescaleFactor the factor, normally 1/255
   * @param doNormalize subtract {@code mean} and divide by {@code std} per channel
   * @param mean per-channel mean (3 values)
   * @param std per-channel standard deviation (3 values, non-zero)
   */
  public ImagePreprocessor(int height, int width, Filter filter, boolean doResize, boolean doRescale,
      double rescaleFactor, boolean doNormalize, double[] mean, double[] std) {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
    }
    if (mean.length != 3 || std.length != 3) {
      throw new IllegalArgumentException("image_mean and image_std need 3 values, got "
          + Arrays.toString(mean) + " and " + Arrays.toString(std));
    }
    this.height = height;
    this.width = width;
    this.filter = filter;
    this.doResize = doResize;
    for (int c = 0; c < 3; c++) {
      float m = (float) mean[c];
      float s = (float) std[c];
      if (doNormalize && s == 0f) {
        throw new IllegalArgumentException("image_std[" + c + "] is zero");
      }
      for (int v = 0; v < 256; v++) {
        float x = doRescale ? (float) (v * rescaleFactor) : v;
        lut[c][v] = doNormalize ? (x - m) / s : x;
      }
    }
  }

  /**
   * Reads an HF {@code preprocessor_config.json}: {@code size} ({@code {"height", "width"}} or one
   * number), {@code image_mean}, {@code image_std}, {@code rescale_factor}, {@code do_resize},
   * {@code do_rescale}, {@code do_normalize}, {@code resample} (3 = BICUBIC or 2 = BILINEAR). Missing
   * keys take BlipImageProcessor's defaults (384, CLIP mean/std, 1/255, true, BICUBIC).
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException naming the file and key if a value is invalid or unsupported
   */
  public static ImagePreprocessor fromConfig(Path file) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(file + ": expected a JSON object");
    }
    int height = DEFAULT_SIZE;
    int width = DEFAULT_SIZE;
    JsonNode size = root.get("size");
    if (size != null && size.isInt()) {
      height = width = size.intValue();
    } else if (size != null && size.isObject()) {
      if (!size.path("height").isInt() || !size.path("width").isInt()) {
        throw new IllegalArgumentException(file + ": key 'size' must hold integer 'height' and 'width', got " + size);
      }
      height = size.get("height").intValue();
      width = size.get("width").intValue();
    } else if (size != null && !size.isNull()) {
      throw new IllegalArgumentException(file + ": key 'size' must be an integer or {height, width}, got " + size);
    }
    int resample = root.path("resample").asInt(Filter.BICUBIC.pillowCode());
    if (resample != 3 && resample != 2) {
      throw new IllegalArgumentException(file + ": key 'resample' = " + root.get("resample")
          + " is not supported; expected 3 (BICUBIC, BLIP's) or 2 (BILINEAR)");
    }
    try {
      return new ImagePreprocessor(height, width, Filter.fromPillowCode(resample),
          flag(root, "do_resize", file), flag(root, "do_rescale", file),
          number(root, "rescale_factor", DEFAULT_RESCALE, file), flag(root, "do_normalize", file),
          triple(root, "image_mean", CLIP_MEAN, file), triple(root, "image_std", CLIP_STD, file));
    } catch (IllegalArgumentException e) {
      if (e.getMessage().startsWith(file.toString())) {
        throw e;
      }
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  private static boolean flag(JsonNode root, String key, Path file) {
    JsonNode n = root.get(key);
    if (n == null || n.isNull()) {
      return true;
    }
    if (!n.isBoolean()) {
      throw new IllegalArgumentException(file + ": key '" + key + "' must be true or false, got " + n);
    }
    return n.booleanValue();
  }

  private static double number(JsonNode root, String key, double dflt, Path file) {
    JsonNode n = root.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isNumber()) {
      throw new IllegalArgumentException(file + ": key '" + key + "' must be a number, got " + n);
    }
    return n.doubleValue();
  }

  private static double[] triple(JsonNode root, String key, double[] dflt, Path file) {
    JsonNode n = root.get(key);
    if (n == null || n.isNull()) {
      return dflt.clone();
    }
    if (n.isNumber()) {
      return new double[] {n.doubleValue(), n.doubleValue(), n.doubleValue()};
    }
    if (!n.isArray() || n.size() != 3 || !n.get(0).isNumber() || !n.get(1).isNumber() || !n.get(2).isNumber()) {
      throw new IllegalArgumentException(file + ": key '" + key + "' must be 3 numbers, got " + n);
    }
    return new double[] {n.get(0).doubleValue(), n.get(1).doubleValue(), n.get(2).doubleValue()};
  }

  /** The side of the square output (BLIP's image size); fails if height and width differ. */
  public int size() {
    if (height != width) {
      throw new IllegalStateException("preprocessor output is not square: " + height + "x" + width);
    }
    return height;
  }

  /** Output height (when resizing). */
  public int height() {
    return height;
  }

  /** Output width (when resizing). */
  public int width() {
    return width;
  }

  /** The resampling filter. */
  public Filter filter() {
    return filter;
  }

  /** The image as the model sees it before normalisation: resized with Pillow's filter, or as is. */
  public RgbImage resize(RgbImage image) {
    return doResize ? PilResize.resize(image, width, height, filter) : image;
  }

  /** Normalised pixel values, float32 CHW: {@code [3, height, width]} flattened. */
  public float[] pixelValues(RgbImage image) {
    return normalize(resize(image));
  }

  /** {@link #pixelValues} as an NDArray of shape [3, H, W] owned by {@code manager}. */
  public NDArray toNDArray(NDManager manager, RgbImage image) {
    RgbImage r = resize(image);
    return manager.create(normalize(r), new Shape(3, r.height(), r.width()));
  }

  /** A batch [B, 3, H, W] owned by {@code manager}; all images must come out the same size. */
  public NDArray batch(NDManager manager, List<RgbImage> images) {
    if (images.isEmpty()) {
      throw new IllegalArgumentException("empty image batch");
    }
    float[] all = null;
    int h = 0;
    int w = 0;
    for (int i = 0; i < images.size(); i++) {
      RgbImage r = resize(images.get(i));
      if (all == null) {
        h = r.height();
        w = r.width();
        all = new float[images.size() * 3 * h * w];
      } else if (r.height() != h || r.width() != w) {
        throw new IllegalArgumentException("image " + i + " is " + r.width() + "x" + r.height()
            + " but image 0 is " + w + "x" + h + " (enable resizing to batch images of different sizes)");
      }
      float[] one = normalize(r);
      System.arraycopy(one, 0, all, i * one.length, one.length);
    }
    return manager.create(all, new Shape(images.size(), 3, h, w));
  }

  /** Rescale + normalise through the lookup table, HWC uint8 to CHW float32. */
  private float[] normalize(RgbImage r) {
    int plane = r.width() * r.height();
    float[] out = new float[3 * plane];
    byte[] rgb = r.rgb();
    float[] l0 = lut[0];
    float[] l1 = lut[1];
    float[] l2 = lut[2];
    for (int i = 0, p = 0; i < plane; i++, p += 3) {
      out[i] = l0[rgb[p] & 0xFF];
      out[plane + i] = l1[rgb[p + 1] & 0xFF];
      out[2 * plane + i] = l2[rgb[p + 2] & 0xFF];
    }
    return out;
  }
}
