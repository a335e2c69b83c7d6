package org.blip4j.reproduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReproductionReportTest {
  @TempDir
  Path dir;

  /** A run directory holding only the warm-up's held-out scores, with this shape AUC on the scenes of one large object. */
  private Path runWithWarmup(String name, double singleObjectShape) throws Exception {
    Path out = dir.resolve(name);
    Files.createDirectories(out.resolve("vision-warmup"));
    Files.writeString(out.resolve("vision-warmup/heldout.json"), String.format(Locale.ROOT, """
        {"held_out_scenes": 1000, "colour": {"auc": 0.99, "f1": 0.9, "labels": 8}, "shape": {"auc": 0.7, "f1": 0.5, "labels": 6},
         "one_large_object": {"scenes": 124, "colour": {"auc": 1.0, "labels": 8}, "shape": {"auc": %s, "labels": 6}}}
        """, singleObjectShape));
    return out;
  }

  @Test
  void warnsWhenTheWarmupNeverLearntShapeEvenOnSingleObjects() throws Exception {
    ReproductionReport full = ReproductionReport.write(runWithWarmup("unlearnt", 0.61), ReproductionProfile.full(), List.of("noboot", "CF"));
    assertThat(full.markdown()).contains("**WARNING:** The vision warm-up's ViT tells shapes apart at only AUC 0.610",
        "more single_object_steps give it time");
    assertThat(full.verdict()).contains("incomplete", "Caveat: 1 warning(s)");

    ReproductionReport quick = ReproductionReport.write(runWithWarmup("quick", 0.61), ReproductionProfile.quick(), List.of("noboot", "CF"));
    assertThat(quick.markdown()).contains("at only AUC 0.610", "This profile has no single-object curriculum");

    ReproductionReport learnt = ReproductionReport.write(runWithWarmup("learnt", 0.999), ReproductionProfile.full(), List.of("noboot", "CF"));
    assertThat(learnt.markdown()).contains("; shape 0.999 on the 124 of them that hold one large object").doesNotContain("WARNING")
        .doesNotContain("Judged by the world's truth"); // no evaluation with world_truth yet
    assertThat(learnt.verdict()).doesNotContain("Caveat");
  }

  @Test
  void setupSaysWhetherTheViTIsFrozenAfterTheWarmup() throws Exception {
    assertThat(ReproductionProfile.full().visionFrozen()).isTrue();
    assertThat(ReproductionProfile.quick().visionFrozen()).isFalse();
    String frozen = "After the warm-up the ViT is FROZEN";
    assertThat(ReproductionReport.write(runWithWarmup("full", 0.999), ReproductionProfile.full(), List.of("noboot", "CF")).markdown())
        .contains(frozen, "model `midi` at 64 px in 8-px patches");
    assertThat(ReproductionReport.write(runWithWarmup("quick", 0.999), ReproductionProfile.quick(), List.of("noboot", "CF")).markdown())
        .doesNotContain(frozen);
  }

  @Test
  void withSeedChangesTheSeedOnly() {
    ReproductionProfile full = ReproductionProfile.full();
    assertThat(full.seed()).isEqualTo(ReproductionProfile.DEFAULT_SEED);
    ReproductionProfile seven = full.withSeed(7);
    assertThat(seven.seed()).isEqualTo(7);
    assertThat(seven.withSeed(full.seed())).isEqualTo(full);
    assertThat(seven).isNotEqualTo(full);
  }

  @Test
  void withModelChangesTheModelOnly() {
    ReproductionProfile full = ReproductionProfile.full().withSeed(7);
    ReproductionProfile mini = full.withModel("mini");
    assertThat(mini.model()).isEqualTo("mini");
    assertThat(mini.seed()).isEqualTo(7);
    assertThat(mini).isNotEqualTo(full);
    assertThat(mini.withModel(full.model())).isEqualTo(full);
  }

  @Test
  void withSingleObjectStepsChangesTheCurriculumOnly() {
    ReproductionProfile full = ReproductionProfile.full().withSeed(7);
    ReproductionProfile shorter = full.withSingleObjectSteps(4000);
    assertThat(shorter.visionWarmupSingleObjectSteps()).isEqualTo(4000).isNotEqualTo(full.visionWarmupSingleObjectSteps());
    assertThat(shorter.seed()).isEqualTo(7);
    assertThat(shorter.withSingleObjectSteps(full.visionWarmupSingleObjectSteps())).isEqualTo(full);
    assertThatThrownBy(() -> full.withSingleObjectSteps(-1)).hasMessageContaining("-1");
  }

  @Test
  void withWarmupStepsChangesTheAllSceneStageOnly() {
    ReproductionProfile full = ReproductionProfile.full().withSeed(7).withSingleObjectSteps(4000);
    ReproductionProfile longer = full.withWarmupSteps(20_000);
    assertThat(longer.visionWarmupSteps()).isEqualTo(20_000).isNotEqualTo(full.visionWarmupSteps());
    assertThat(longer.visionWarmupSingleObjectSteps()).isEqualTo(4000);
    assertThat(longer.seed()).isEqualTo(7);
    assertThat(longer.withWarmupSteps(full.visionWarmupSteps())).isEqualTo(full);
    assertThatThrownBy(() -> full.withWarmupSteps(-3)).hasMessageContaining("-3");
    // no warm-up leaves a curriculum and a frozen ViT without the stage they need
    assertThatThrownBy(() -> full.withWarmupSteps(0)).hasMessageContaining("warm-up");
  }

  @Test
  void aFrozenViTNeedsAWarmup() {
    ReproductionProfile q = ReproductionProfile.quick();
    assertThatThrownBy(() -> new ReproductionProfile(q.name(), q.shapesScale(), q.shapesImageSize(), q.model(), q.imageSize(), q.patchSize(),
        q.batchSize(), q.pretrainSteps(), q.pretrainLr(), q.warmupSteps(), q.queueSize(), q.finetuneSteps(), q.finetuneLr(), q.retrievalSteps(),
        q.retrievalLr(), q.itmNegatives(), q.capfiltBatch(), q.capfiltShard(), q.capfiltThreshold(), q.beamRow(), q.testImages(), q.zsImages(),
        q.kTest(), q.captionBeams(), q.checkpointEvery(), q.loaderThreads(), 0, q.visionWarmupImages(), 0, q.visionWarmupLr(),
        q.textInitStd(), true, q.seed())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("frozen ViT needs a vision warm-up");
  }
}
