package org.blip4j.reproduce;

import java.util.List;
import java.util.Locale;

/**
 * Every number of a {@code blip reproduce} run in one place, so a profile is easy to tune.
 *
 * @param name profile name ({@code quick}, {@code full}, {@code micro})
 * @param shapesScale Shapes world scale (1.0 = 2 000 human, 20 000 web images)
 * @param shapesImageSize Shapes canvas side in pixels
 * @param model model size ({@code tiny}, {@code small}, ...) — the same for every pre-training
 * @param imageSize training / evaluation resolution
 * @param batchSize pre-training and fine-tuning batch size
 * @param pretrainSteps steps of EVERY pre-training (no-bootstrap and each bootstrapped dataset alike)
 * @param pretrainLr pre-training learning rate (constant after warm-up, so equal steps get equal rates)
 * @param warmupSteps pre-training warm-up steps
 * @param queueSize ITC queue length (a multiple of the batch size)
 * @param finetuneSteps steps of every fine-tuning (captioner, filter, downstream retrieval and captioning)
 * @param finetuneLr fine-tuning initial learning rate (cosine over the fine-tuning's epochs)
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
 */
public record ReproductionProfile(String name, double shapesScale, int shapesImageSize, String model, int imageSize, int batchSize,
    long pretrainSteps, float pretrainLr, long warmupSteps, int queueSize, long finetuneSteps, float finetuneLr, int capfiltBatch,
    int capfiltShard, double capfiltThreshold, boolean beamRow, int testImages, int zsImages, int kTest, int captionBeams, int checkpointEvery,
    int loaderThreads, int visionWarmupSteps, int visionWarmupImages, int visionWarmupSingleObjectSteps, float visionWarmupLr, float textInitStd) {

  /** The profiles {@link #of(String)} knows. */
  public static final List<String> NAMES = List.of("quick", "full");

  /** Validates. */
  public ReproductionProfile {
    if (queueSize % batchSize != 0) {
      throw new IllegalArgumentException("queue size " + queueSize + " must be a multiple of batch size " + batchSize);
    }
    if (pretrainSteps < 1 || finetuneSteps < 1) {
      throw new IllegalArgumentException("steps must be >= 1");
    }
  }

  /**
   * ≤ 10 minutes on a 2-core CPU: tiny model at 64 px, a world of scale 0.05 (100 human images × 5
   * captions, 1 000 web images) on the 96-px canvas, 300 pre-training steps, 100-step fine-tunes, 50
   * test images; no beam row.
   */
  public static ReproductionProfile quick() {
    return new ReproductionProfile("quick", 0.05, 96, "tiny", 64, 16, 300, 5e-4f, 30, 256, 100, 1e-4f, 16, 256, 0.5, false, 50, 50, 16, 3, 100, 1, 3000, 20_000, 0, 1e-3f, 0.144f);
  }

  /**
   * ≤ 60 minutes on a 2-core CPU: scale 0.15, 1 500 pre-training steps, 300-step fine-tunes, the beam
   * row, full test splits; the world is drawn on SHAPES.md's 96-px canvas (the model still sees 64 px),
   * and the vision warm-up learns shape on single large objects first (8 000 steps at 5e-3: when shape
   * "clicks" depends on the seed, 4 000 steps reached a held-out AUC of 0.98, 0.94 or 0.83), then on
   * all scenes (6 000 steps, cosine to 0). Measured on held-out scenes: shape is learnt on a 96-px
   * canvas and forgotten again on a 64-px one (mean shape AUC 0.79 against 0.68).
   */
  public static ReproductionProfile full() {
    return new ReproductionProfile("full", 0.15, 96, "tiny", 64, 16, 1500, 5e-4f, 100, 512, 300, 1e-4f, 16, 512, 0.5, true, 0, 0, 32, 3, 250, 1, 6000, 50_000, 8000, 5e-3f, 0.144f);
  }

  /** A seconds-long profile for tests: scale 0.01, a handful of steps, tiny test subsets, the beam row. */
  public static ReproductionProfile micro() {
    return new ReproductionProfile("micro", 0.01, 48, "tiny", 32, 4, 4, 5e-4f, 2, 8, 3, 1e-4f, 8, 64, 0.5, true, 4, 4, 4, 1, 2, 1, 3, 16, 0, 1e-3f, 0.144f);
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
