package org.blip4j.reproduce;

import java.util.List;
import java.util.Locale;
import org.blip4j.train.ITM;

/**
 * Every number of a {@code blip reproduce} run in one place, so a profile is easy to tune.
 *
 * @param name profile name ({@code quick}, {@code full}, {@code micro})
 * @param shapesScale Shapes world scale (1.0 = 2 000 human, 20 000 web images)
 * @param shapesImageSize Shapes canvas side in pixels
 * @param model model size ({@code tiny}, {@code small}, ...) — the same for every pre-training
 * @param imageSize training / evaluation resolution
 * @param patchSize the ViT's patch side (the named model's is 16)
 * @param batchSize pre-training and fine-tuning batch size
 * @param pretrainSteps steps of EVERY pre-training (no-bootstrap and each bootstrapped dataset alike)
 * @param pretrainLr pre-training learning rate (constant after warm-up, so equal steps get equal rates)
 * @param warmupSteps pre-training warm-up steps
 * @param queueSize ITC queue length (a multiple of the batch size)
 * @param finetuneSteps steps of every captioning fine-tuning (the captioner and the downstream captioners)
 * @param finetuneLr captioning fine-tuning's initial learning rate (cosine over the fine-tuning's epochs)
 * @param retrievalSteps steps of every retrieval fine-tuning (the filter and the downstream retrieval models)
 * @param retrievalLr retrieval fine-tuning's initial learning rate (cosine)
 * @param itmNegatives how ITM's negatives are drawn in the retrieval fine-tunings ({@code hard} or
 *     {@code random}, {@link org.blip4j.train.ITM.Mining}); pre-training keeps BLIP's hard negatives
 * @param capfiltBatch images per CapFilt captioner / filter call
 * @param capfiltShard web samples per CapFilt work shard (unit of resumption)
 * @param capfiltThreshold ITM probability a caption needs to be kept (BLIP: 0.5)
 * @param beamRow also run CapFilt with beam search and pre-train CF-beam (Table-2 analog)
 * @param testImages images of {@code test} evaluated (0: all)
 * @param zsImages images of {@code zs_test} evaluated (0: all)
 * @param kTest ITC candidates re-ranked by ITM per query
 * @param captionBeams beams of the evaluation captioner (BLIP: 3)
 * @param checkpointEvery checkpoint every N steps
 * @param loaderThreads data-transform threads
 * @param visionWarmupSteps steps of the shared vision warm-up before every pre-training (the stand-in
 *     for BLIP's ImageNet ViT; 0: none)
 * @param visionWarmupImages fresh labelled scenes the warm-up trains on (none of the world's images)
 * @param visionWarmupSingleObjectSteps curriculum steps on the scenes of one large object before the
 *     warm-up's steps on all scenes (0: none)
 * @param visionWarmupLr the warm-up's peak learning rate
 * @param textInitStd init std of the text-side weights of the fresh pre-training models
 * @param visionFrozen after the warm-up the ViT is frozen: every pre-training and fine-tune trains the text side
 *     only ({@link #VISION_FROZEN}); needs a warm-up
 * @param seed seed of every training stage (the vision warm-up, pre-trainings, fine-tunes: initialisation,
 *     data order, augmentation, dropout); the world (seed 0) and CapFilt's sampling seed stay fixed, so
 *     runs with other seeds see the same data ({@link #DEFAULT_SEED} in the named profiles)
 */
public record ReproductionProfile(String name, double shapesScale, int shapesImageSize, String model, int imageSize, int patchSize, int batchSize,
    long pretrainSteps, float pretrainLr, long warmupSteps, int queueSize, long finetuneSteps, float finetuneLr, long retrievalSteps, float retrievalLr,
    String itmNegatives, int capfiltBatch,
    int capfiltShard, double capfiltThreshold, boolean beamRow, int testImages, int zsImages, int kTest, int captionBeams, int checkpointEvery,
    int loaderThreads, int visionWarmupSteps, int visionWarmupImages, int visionWarmupSingleObjectSteps, float visionWarmupLr, float textInitStd,
    boolean visionFrozen, long seed) {

  /** The {@code freeze} expressions of a profile with {@link #visionFrozen()}: the ViT and its momentum copy. */
  public static final List<String> VISION_FROZEN = List.of("vision_model\\..*", "vision_model_m\\..*");

  /** The training seed of the named profiles. */
  public static final long DEFAULT_SEED = 42;

  /** The profiles {@link #of(String)} knows. */
  public static final List<String> NAMES = List.of("quick", "full");

  /** Validates. */
  public ReproductionProfile {
    if (queueSize % batchSize != 0) {
      throw new IllegalArgumentException("queue size " + queueSize + " must be a multiple of batch size " + batchSize);
    }
    if (pretrainSteps < 1 || finetuneSteps < 1 || retrievalSteps < 1) {
      throw new IllegalArgumentException("steps must be >= 1");
    }
    if (!(patchSize > 0 && imageSize % patchSize == 0)) {
      throw new IllegalArgumentException("patch size " + patchSize + " must divide image size " + imageSize);
    }
    ITM.Mining.of(itmNegatives);
    if (visionWarmupSteps < 0) {
      throw new IllegalArgumentException("vision warm-up steps must be >= 0, got " + visionWarmupSteps);
    }
    if (visionWarmupSingleObjectSteps < 0 || (visionWarmupSingleObjectSteps > 0 && visionWarmupSteps == 0)) {
      throw new IllegalArgumentException("single-object steps must be >= 0 and need a vision warm-up (visionWarmupSteps > 0), got "
          + visionWarmupSingleObjectSteps);
    }
    if (visionFrozen && visionWarmupSteps == 0) {
      throw new IllegalArgumentException("a frozen ViT needs a vision warm-up (visionWarmupSteps > 0): it would stay random");
    }
  }

  /**
   * ≤ 10 minutes on a 2-core CPU: tiny model at 64 px, a world of scale 0.05 (100 human images × 5
   * captions, 1 000 web images) on the 96-px canvas, 300 pre-training steps, 100-step caption fine-tunes, 50
   * test images; no beam row; retrieval fine-tunes as {@link #full()}'s, 300 steps. The named size's
   * 16-px patches: 8-px ones took the run from 8:27 to 9:35 and, in 300 pre-training steps without the
   * single-object curriculum, did not help (C+F against noboot TR@1 10.0 vs 16.0, CIDEr 3.9 vs 18.8).
   */
  public static ReproductionProfile quick() {
    return new ReproductionProfile("quick", 0.05, 96, "tiny", 64, 16, 16, 300, 5e-4f, 30, 256, 100, 1e-4f, 300, 1e-3f, "random", 16, 256, 0.5, false, 50, 50, 16, 3, 100, 1, 3000, 20_000, 0, 1e-3f, 0.144f, false, DEFAULT_SEED);
  }

  /**
   * Aimed at ≤ 60 minutes on a 2-core CPU (stop 26, seed 42, from scratch: 55:29 with the warm-up's 12 000 + 12 000 steps;
   * stop 24 with 8 000 + 6 000: 53:55; {@code blip reproduce --single-object-steps 8000 --warmup-steps 6000} for a slower
   * machine, about 10 min less by the warm-up's rate of about 1 min per 1 000 steps): scale 0.15, 1 500 pre-training steps, 800-step caption fine-tunes from
   * 3e-4 (CIDEr of the noboot captioner 121 against 100 with 300 steps from 1e-4), the beam
   * row, full test splits; the world is drawn on SHAPES.md's 96-px canvas (the model still sees 64 px,
   * in 8-px patches: with the named size's 16-px patches a small object is a fraction of one of 16
   * tokens; 64 tokens raise the warm-up's held-out shape AUC from 0.80 to 0.90 and the noboot
   * retrieval model's TR@1 from 10.7 to 14.0 for 1.4× the warm-up's time), and the vision warm-up
   * learns shape on single large objects first (12 000 steps at 5e-3, see below), then on
   * all scenes (12 000 steps, cosine to 0). Stop 26 lengthened both stages (8 000 + 6 000 before): held-out F1 of
   * shape 0.73 → 0.97, colour+shape 0.48 → 0.80, position 0.67 → 0.81, relation 0.52 → 0.71; the filter's ROC AUC of
   * clean over noisy web captions 0.86–0.87 → 0.89–0.90 (seeds 7, 42), so that at BLIP's threshold of 0.5 it removes 81.9 % of the noisy
   * web captions and keeps 81.4 % of the clean ones with seed 42 (seed 7: 86.3 % / 74.5 %, and 80 % / 80 % at thresholds
   * 0.35–0.40; before, 79.6 % / 79.4 % at best, at any threshold); CIDEr of every row
   * 200–213 → 227–233 (seed 42, stop 24 → stop 26). Measured on held-out scenes: shape is learnt on a 96-px
   * canvas and forgotten again on a 64-px one (mean shape AUC 0.79 against 0.68). Retrieval fine-tunes
   * (the filter among them) run 3 000 steps from 1e-3 (1 500 until stop 24: the filter of stop 23's seed-42 noboot
   * model gains ROC AUC 0.863 → 0.871 of clean over noisy web captions with the doubling and the paired-caption rule,
   * the noboot retrieval model TR@1 32.7 → 35.3) with random ITM negatives: after 300 steps from
   * 1e-4 with BLIP's hard negatives the filter gave every caption an ITM probability of 0.2–0.5 and
   * kept none; now it keeps two thirds of the clean web captions and a fifth of the noisy ones, and
   * TR@1 doubles (measured on this profile's noboot model). The model is {@code midi} (a 96-wide ViT and text
   * side; until stop 20 {@code mini}, tiny's 48-wide ViT with the same text side) and the ViT is frozen after the
   * warm-up. Stops 21–22 cut midi's single-object curriculum to 4 000, then 6 000 steps to fit the hour (the 14 000-step
   * warm-up alone took 20:18 when it ran libtorch on one thread); since the warm-up runs in towers (stop 23, 1.5× the samples/s)
   * it is mini's 8 000 again (12 000 since stop 26). Seed 42, 4 000 / 6 000 /
   * 8 000 steps: held-out F1 of position 0.38 / 0.61 / 0.66 and relation 0.35 / 0.45 / 0.51; averaged over the
   * report's five rows TR@1 26.4 / 32.1 / 31.3 and CIDEr 186.2 / 201.9 / 215.6 (when shape "clicks" depends on
   * the seed: in two seeds each of mini and midi the training F1 on one large object jumped between steps 1 000
   * and 3 500). Measured on the noboot pipeline (its captioner on
   * 150 test images, beam 3, judged by the world's oracle; "shape | colour": prompted with the true colour of a
   * one-object scene, how often the next word is its shape): trained tiny ViT, as before, 18 % true captions,
   * shape | colour 0.26, TR@1 14.0; frozen, 17 %, 0.32, TR@1 21.3 (pre-training no longer overwrites the
   * warm-up's shape features); frozen mini, 42 %, 0.69, TR@1 24.7, and the filter keeps 74 % of clean web
   * captions (a 128-wide text side: 51 %, 0.69, at 1.25× its pre-training time).
   */
  public static ReproductionProfile full() {
    return new ReproductionProfile("full", 0.15, 96, "midi", 64, 8, 16, 1500, 5e-4f, 100, 512, 800, 3e-4f, 3000, 1e-3f, "random", 16, 512, 0.5, true, 0, 0, 32, 3, 250, 1, 12_000, 50_000, 12_000, 5e-3f, 0.102f, true, DEFAULT_SEED);
  }

  /** A seconds-long profile for tests: scale 0.01, a handful of steps, tiny test subsets, the beam row. */
  public static ReproductionProfile micro() {
    return new ReproductionProfile("micro", 0.01, 48, "tiny", 32, 8, 4, 4, 5e-4f, 2, 8, 3, 1e-4f, 4, 1e-3f, "random", 8, 64, 0.5, true, 4, 4, 4, 1, 2, 1, 3, 16, 0, 1e-3f, 0.144f, true, DEFAULT_SEED);
  }

  /** This profile with another training {@link #seed()}. */
  public ReproductionProfile withSeed(long newSeed) {
    return with(model, visionWarmupSteps, visionWarmupSingleObjectSteps, newSeed);
  }

  /** This profile with another {@link #model()} size (a name {@link org.blip4j.train.PretrainJob#modelConfig} knows). */
  public ReproductionProfile withModel(String newModel) {
    return with(newModel, visionWarmupSteps, visionWarmupSingleObjectSteps, seed);
  }

  /** This profile with another length of the warm-up's single-object curriculum ({@link #visionWarmupSingleObjectSteps()}; 0: none). */
  public ReproductionProfile withSingleObjectSteps(int steps) {
    return with(model, visionWarmupSteps, steps, seed);
  }

  /**
   * This profile with another length of the warm-up's stage on all scenes ({@link #visionWarmupSteps()}, after the
   * single-object curriculum; 0: no warm-up, which needs no curriculum and no frozen ViT).
   */
  public ReproductionProfile withWarmupSteps(int steps) {
    return with(model, steps, visionWarmupSingleObjectSteps, seed);
  }

  private ReproductionProfile with(String newModel, int newWarmupSteps, int newSingleObjectSteps, long newSeed) {
    return new ReproductionProfile(name, shapesScale, shapesImageSize, newModel, imageSize, patchSize, batchSize, pretrainSteps, pretrainLr, warmupSteps,
        queueSize, finetuneSteps, finetuneLr, retrievalSteps, retrievalLr, itmNegatives, capfiltBatch, capfiltShard, capfiltThreshold, beamRow,
        testImages, zsImages, kTest, captionBeams, checkpointEvery, loaderThreads, newWarmupSteps, visionWarmupImages,
        newSingleObjectSteps, visionWarmupLr, textInitStd, visionFrozen, newSeed);
  }

  /** {@code quick} or {@code full}. */
  public static ReproductionProfile of(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "quick" -> quick();
      case "full" -> full();
      case "micro" -> micro();
      default -> throw new IllegalArgumentException("unknown scale '" + name + "' (expected quick or full)");
    };
  }
}
