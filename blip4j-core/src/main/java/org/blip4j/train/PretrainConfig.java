package org.blip4j.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A {@code blip pretrain} run, read from JSON or YAML with snake_case keys (unknown keys are
 * errors, so a typo never silently falls back to a default). Defaults follow BLIP's
 * {@code configs/pretrain.yaml} where the key exists there.
 *
 * @param model {@code tiny}, {@code small}, {@code base}, {@code large}, or the path of an HF
 *     {@code config.json}
 * @param init optional model directory or {@code .pth} to start from (a BlipForPretraining
 *     checkpoint or any BLIP model whose shared weights it can take); null: random init
 * @param imageSize training resolution (224 in BLIP)
 * @param patchSize the ViT's patch side for a fresh model, instead of the named size's 16 (or the
 *     {@code config.json}'s own); null: keep it. At 64 px, 8-pixel patches give the ViT 64 tokens instead
 *     of 16, and a small Shapes object is no longer a fraction of one patch. Not with {@code init},
 *     whose config decides
 * @param datasets what to train on
 * @param shapes the Shapes world that {@code {"shapes": split}} datasets come from (generated under
 *     the run directory when absent)
 * @param batchSize per step
 * @param epochs epochs
 * @param maxSteps stop early after this many steps (0: off)
 * @param lr the learning-rate recipe
 * @param weightDecay AdamW weight decay (0.05)
 * @param maxGradNorm gradient clipping (0: off)
 * @param queueSize ITC queue length (57 600 in the paper; a multiple of the batch size)
 * @param momentum momentum-encoder coefficient (0.995)
 * @param alpha ITC distillation weight (0.4)
 * @param alphaRampEpochs epochs of alpha ramp-up (2)
 * @param maxTextLength caption token limit (30)
 * @param minCropScale RandomResizedCrop's smallest area (0.2 in pre-training)
 * @param randAugment apply BLIP's RandAugment(2, 5)
 * @param dropout BERT hidden and attention dropout while training (0.1 as BLIP's med_config)
 * @param dropPath the ViT's stochastic-depth rate while training; null: the task's BLIP value (0.1 for
 *     VQA and NLVR fine-tuning, 0 for pre-training, captioning and retrieval)
 * @param freeze regular expressions of parameter names not to train
 * @param seed the seed of everything random
 * @param loaderThreads data-transform worker threads
 * @param logEvery metrics line every N steps
 * @param checkpointEvery checkpoint every N steps (0: epoch ends only)
 * @param keepLast checkpoints kept
 * @param visionWarmup optional stage before pre-training from scratch on the Shapes world: the ViT
 *     learns the scenes' colours, shapes and counts first ({@link VisionWarmup}, the stand-in for
 *     BLIP's ImageNet-pre-trained ViT); null: none
 * @param textInitStd standard deviation of the random text-side weights (text encoder, decoder,
 *     projections, ITM head) of a fresh model; the ViT always uses timm's 0.02. BLIP's 0.02 suits
 *     width 768; a narrow model needs more (about 1/sqrt(width)) or its [CLS] starts out almost
 *     independent of the text, which ITC against momentum features cannot recover from
 * @param itmNegatives how ITM's negatives are drawn in pre-training and retrieval fine-tuning:
 *     {@code hard} (default, BLIP's: ∝ contrastive similarity) or {@code random} ({@link ITM.Mining})
 * @param itmExcludePairedCaptions retrieval fine-tuning: ITM never draws as an image's negative a
 *     caption the training data pairs with that image, even when another image of the batch brought
 *     it (a caption written for several images); false (default): BLIP's rule, only captions of the
 *     same image id are excluded
 */
public record PretrainConfig(String model, String init, int imageSize, Integer patchSize, List<Dataset> datasets, Shapes shapes, int batchSize, int epochs,
    long maxSteps, Lr lr, Float weightDecay, float maxGradNorm, int queueSize, float momentum, Float alpha, int alphaRampEpochs,
    int maxTextLength, double minCropScale, Boolean randAugment, Float dropout, Float dropPath, List<String> freeze, long seed, int loaderThreads, int logEvery,
    int checkpointEvery, int keepLast, VisionWarmupConfig visionWarmup, Float textInitStd, String itmNegatives,
    Boolean itmExcludePairedCaptions) {

  /**
   * One dataset: {@code {"path": FILE_OR_SHARD_DIR, "image_root": DIR}} (any format the data readers
   * take) or {@code {"shapes": SPLIT}} (a split of the configured Shapes world).
   */
  public record Dataset(String path, String imageRoot, String shapes) {}

  /** The Shapes world to generate or reuse: directory (relative to the run directory), scale, noise, image size, seed. */
  public record Shapes(String dir, double scale, double noise, int imageSize, long seed) {}

  /**
   * The vision warm-up: {@code steps} of batch {@code batch_size} at peak {@code lr} (cosine, 10 %
   * warm-up) on {@code images} fresh scenes drawn from the world's generator under another seed (a
   * labelled image set disjoint from every split, as ImageNet is from BLIP's data), or, with
   * {@code images} 0, on the images of the Shapes split {@code split} (default human_train), cropped with
   * {@code min_crop_scale} (default 0.8) and flipped — no colour augmentation, the labels are colours.
   * It runs in {@code dir} (relative to the run directory, default {@code vision-warmup}); runs that
   * name the same directory share one warm-up, as BLIP's runs share one ImageNet ViT. With
   * {@code single_object_steps} N > 0 a curriculum comes first: N steps (constant {@code lr} after a
   * 10 % warm-up) on the scenes that hold one large object only, where a ViT trained from scratch
   * learns to tell shapes apart, which it hardly does among several small objects; the {@code steps}
   * on all scenes follow, a {@code single_object_share} (default 0.25) of them drawn again from the
   * single-object scenes so that shape is not forgotten.
   */
  public record VisionWarmupConfig(String split, int steps, Float lr, int batchSize, double minCropScale, String dir, int images,
      int singleObjectSteps, Double singleObjectShare) {
    public VisionWarmupConfig {
      singleObjectShare = singleObjectShare == null ? 0.25 : singleObjectShare;
      dir = dir == null ? "vision-warmup" : dir;
      split = split == null ? "human_train" : split;
      lr = lr == null ? 1e-3f : lr;
      batchSize = batchSize == 0 ? 32 : batchSize;
      minCropScale = minCropScale == 0 ? 0.8 : minCropScale;
      if (steps < 1) {
        throw new IllegalArgumentException("vision_warmup.steps must be >= 1, got " + steps);
      }
      if (images < 0) {
        throw new IllegalArgumentException("vision_warmup.images must be >= 0, got " + images);
      }
      if (singleObjectSteps < 0) {
        throw new IllegalArgumentException("vision_warmup.single_object_steps must be >= 0, got " + singleObjectSteps);
      }
      if (!(singleObjectShare >= 0 && singleObjectShare < 1)) {
        throw new IllegalArgumentException("vision_warmup.single_object_share must be in [0, 1), got " + singleObjectShare);
      }
      if (!(minCropScale > 0 && minCropScale <= 1)) {
        throw new IllegalArgumentException("vision_warmup.min_crop_scale must be in (0, 1], got " + minCropScale);
      }
    }
  }

  /** The learning-rate recipe ({@link LearningRate}). */
  public record Lr(String schedule, float initLr, float minLr, float warmupLr, long warmupSteps, float decayRate) {}

  private static final ObjectMapper JSON = mapper(new ObjectMapper());
  private static final ObjectMapper YAML = mapper(new ObjectMapper(new YAMLFactory()));

  private static ObjectMapper mapper(ObjectMapper m) {
    return m.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  /** Fills defaults and validates. */
  public PretrainConfig {
    model = model == null ? "tiny" : model;
    imageSize = imageSize == 0 ? 224 : imageSize;
    datasets = datasets == null ? List.of() : List.copyOf(datasets);
    batchSize = batchSize == 0 ? 8 : batchSize;
    epochs = epochs == 0 ? 1 : epochs;
    lr = lr == null ? new Lr("step", 3e-4f, 1e-6f, 1e-6f, 3000, 0.9f) : lr;
    weightDecay = weightDecay == null ? 0.05f : weightDecay;
    alpha = alpha == null ? 0.4f : alpha;
    randAugment = randAugment == null ? Boolean.TRUE : randAugment;
    dropout = dropout == null ? 0.1f : dropout;
    if (dropPath != null && !(dropPath >= 0 && dropPath < 1)) {
      throw new IllegalArgumentException("drop_path must be in [0, 1), got " + dropPath);
    }
    queueSize = queueSize == 0 ? 57600 : queueSize;
    momentum = momentum == 0 ? Momentum.DEFAULT : momentum;
    alphaRampEpochs = alphaRampEpochs == 0 ? 2 : alphaRampEpochs;
    maxTextLength = maxTextLength == 0 ? 30 : maxTextLength;
    minCropScale = minCropScale == 0 ? 0.2 : minCropScale;
    freeze = freeze == null ? List.of() : List.copyOf(freeze);
    loaderThreads = loaderThreads == 0 ? 1 : loaderThreads;
    logEvery = logEvery == 0 ? 10 : logEvery;
    keepLast = keepLast == 0 ? 3 : keepLast;
    textInitStd = textInitStd == null ? 0.02f : textInitStd;
    itmNegatives = itmNegatives == null ? "hard" : itmNegatives;
    ITM.Mining.of(itmNegatives);
    itmExcludePairedCaptions = itmExcludePairedCaptions != null && itmExcludePairedCaptions;
    if (visionWarmup != null && shapes == null) {
      throw new IllegalArgumentException("vision_warmup learns from the Shapes world's scenes and needs a 'shapes' section");
    }
    if (patchSize != null && init != null) {
      throw new IllegalArgumentException("patch_size shapes a fresh model; with 'init' the checkpoint's config decides it");
    }
    if (patchSize != null && !(patchSize > 0 && imageSize % patchSize == 0)) {
      throw new IllegalArgumentException("patch_size must divide image_size " + imageSize + ", got " + patchSize);
    }
    if (visionWarmup != null && init != null) {
      throw new IllegalArgumentException("vision_warmup prepares a fresh model; it cannot be combined with 'init'");
    }
    if (!(textInitStd > 0)) {
      throw new IllegalArgumentException("text_init_std must be > 0, got " + textInitStd);
    }
    if (datasets.isEmpty()) {
      throw new IllegalArgumentException("config names no datasets");
    }
    for (Dataset d : datasets) {
      if ((d.path() == null) == (d.shapes() == null)) {
        throw new IllegalArgumentException("each dataset needs exactly one of 'path' or 'shapes', got " + d);
      }
      if (d.shapes() != null && shapes == null) {
        throw new IllegalArgumentException("dataset {shapes: " + d.shapes() + "} needs a 'shapes' section (dir, scale, noise, image_size, seed)");
      }
    }
    if (batchSize < 1 || queueSize % batchSize != 0) {
      throw new IllegalArgumentException("queue_size " + queueSize + " must be a multiple of batch_size " + batchSize);
    }
    if (!(momentum > 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in (0, 1), got " + momentum);
    }
    if (!(minCropScale > 0 && minCropScale <= 1)) {
      throw new IllegalArgumentException("min_crop_scale must be in (0, 1], got " + minCropScale);
    }
  }

  /** Reads a {@code .json}, {@code .yaml} or {@code .yml} config; errors name the file and the key at fault. */
  public static PretrainConfig read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "config file not found");
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    ObjectMapper m = name.endsWith(".yaml") || name.endsWith(".yml") ? YAML : JSON;
    try {
      return m.readValue(file.toFile(), PretrainConfig.class);
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
      throw new IllegalArgumentException(file + ": " + (cause == e ? e.getOriginalMessage() + " at " + e.getPathReference() : cause.getMessage()), e);
    }
  }

  /** A copy that stops after {@code n} steps. */
  public PretrainConfig withMaxSteps(long n) {
    return new PretrainConfig(model, init, imageSize, patchSize, datasets, shapes, batchSize, epochs, n, lr, weightDecay, maxGradNorm, queueSize, momentum, alpha,
        alphaRampEpochs, maxTextLength, minCropScale, randAugment, dropout, dropPath, freeze, seed, loaderThreads, logEvery, checkpointEvery, keepLast, visionWarmup, textInitStd, itmNegatives,
        itmExcludePairedCaptions);
  }

  /** The configured {@code drop_path}, or {@code taskDefault} when the config leaves it to the task. */
  public float dropPathOr(float taskDefault) {
    return dropPath == null ? taskDefault : dropPath;
  }

  /** How ITM's negatives are drawn. */
  public ITM.Mining itmMining() {
    return ITM.Mining.of(itmNegatives);
  }

  /** The {@code freeze} expressions as one pattern (null: nothing frozen). */
  public java.util.regex.Pattern freezePattern() {
    return freeze.isEmpty() ? null : java.util.regex.Pattern.compile(String.join("|", freeze));
  }

  /** The learning-rate schedule of this config. */
  public LearningRate schedule() {
    return new LearningRate(lr.schedule(), lr.initLr(), lr.minLr(), lr.warmupLr(), lr.warmupSteps(), lr.decayRate(), epochs, maxSteps);
  }
}
