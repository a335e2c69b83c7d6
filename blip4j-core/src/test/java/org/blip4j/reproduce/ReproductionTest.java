package org.blip4j.reproduce;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.blip4j.checkpoint.SafeTensors;
import org.blip4j.image.ImageDecoder;
import org.blip4j.task.Captioner;
import org.blip4j.task.ImageTextMatcher;
import org.blip4j.train.Checkpoints;
import org.blip4j.train.PretrainJob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code blip reproduce} end to end with the micro profile (a tiny world, a handful of steps per
 * stage): every stage leaves its marker, the CF models load as task models, the report holds the
 * tables; deleting one late stage's marker reruns only that stage (and the always-rebuilt report),
 * leaving the finished models byte-identical.
 */
class ReproductionTest {
  @TempDir Path dir;
  private static int threads;

  /**
   * One intra-op thread for this test (restored afterwards): the pipeline is dozens of tiny stages, and
   * on a loaded 2-core machine two torch threads make it several times slower, not faster.
   */
  @BeforeAll
  static void oneThread() {
    ai.djl.engine.Engine.getInstance();
    threads = JniUtils.getNumThreads();
    JniUtils.setNumThreads(1);
  }

  @AfterAll
  static void restoreThreads() {
    JniUtils.setNumThreads(threads);
  }

  /** Records the stage events (the pipeline calls its listener one call at a time, even while stages run at once). */
  static final class Events implements ReproductionListener {
    final List<String> started = new ArrayList<>();
    final List<String> skipped = new ArrayList<>();
    final List<String> finished = new ArrayList<>();
    /** Every start and finish in order, as the stage name. */
    final List<String> log = new ArrayList<>();

    @Override
    public void stageStarted(String stage, String description) {
      started.add(stage);
      log.add(stage);
    }

    @Override
    public void stageSkipped(String stage) {
      skipped.add(stage);
    }

    @Override
    public void stageFinished(String stage, double seconds) {
      finished.add(stage);
      log.add(stage);
    }
  }

  static String sha256(Path f) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
  }

  @Test
  void microPipelineRunsEndToEndAndResumesOnlyTheMissingStage() throws Exception {
    Path out = dir.resolve("repro");
    Events first = new Events();
    long t0 = System.nanoTime();
    ReproductionReport report = new Reproduction(ReproductionProfile.micro(), out, first, 2).run();
    System.out.printf("micro reproduction: %.1f s%n", (System.nanoTime() - t0) / 1e9);

    // stages that do not depend on each other run two at a time; a group starts when the one before has finished
    List<List<String>> groups = List.of(List.of("shapes"), List.of("pretrain-noboot"), List.of("filter", "captioner"),
        List.of("capfilt-nucleus", "capfilt-beam"), List.of("datasets"), List.of("pretrain-F", "pretrain-C", "pretrain-CF", "pretrain-CF-beam"),
        List.of("retrieval-F", "retrieval-C", "retrieval-CF", "retrieval-CF-beam", "caption-F", "caption-C", "caption-CF", "caption-CF-beam"),
        List.of("eval-noboot", "eval-F", "eval-C", "eval-CF", "eval-CF-beam"), List.of("report"));
    List<String> stages = groups.stream().flatMap(List::stream).toList();
    assertThat(first.started).containsExactlyInAnyOrderElementsOf(stages);
    assertThat(first.finished).containsExactlyInAnyOrderElementsOf(stages);
    assertThat(first.skipped).isEmpty();
    List<Integer> groupOfEvent = first.log.stream().map(s -> groups.indexOf(groups.stream().filter(g -> g.contains(s)).findFirst().orElseThrow())).toList();
    assertThat(groupOfEvent).as("group of each start and finish, in order: %s", first.log).isSorted();
    for (String m : List.of("shapes/summary.json", "pretrain-noboot/result.json", "captioner/result.json", "filter/result.json",
        "capfilt-nucleus/result.json", "capfilt-nucleus/bootstrapped.json", "capfilt-nucleus/report.json", "capfilt-beam/result.json",
        "data/result.json", "data/F.json", "data/C.json", "data/CF.json", "data/CF-beam.json", "pretrain-CF/result.json", "pretrain-CF-beam/result.json",
        "caption-CF/result.json", "retrieval-CF/result.json", "eval/noboot.json", "eval/CF.json", "eval/CF-beam.json", "configs/pretrain-CF.json",
        "configs/retrieval-CF.json", "report.md", "report.html", "figure4.png", "pretrain-noboot/loss.png")) {
      assertThat(out.resolve(m)).as(m).isRegularFile();
    }
    for (String m : List.of("retrieval-cf", "caption-cf", "retrieval-noboot", "caption-noboot", "captioner", "filter", "pretrain-noboot", "pretrain-F",
        "pretrain-C", "pretrain-CF", "pretrain-CF-beam", "retrieval-f", "caption-c", "retrieval-cf-beam")) {
      assertThat(out.resolve("models").resolve(m).resolve("model.safetensors")).as("models/" + m).isRegularFile();
    }
    // the CF dataset is exactly CapFilt's bootstrapped set (same records, same order)
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(json.readTree(out.resolve("data/CF.json").toFile())).isEqualTo(json.readTree(out.resolve("capfilt-nucleus/bootstrapped.json").toFile()));
    int human = json.readTree(out.resolve("shapes/human_train.json").toFile()).size();
    int web = json.readTree(out.resolve("shapes/web_train.json").toFile()).size();
    assertThat(json.readTree(out.resolve("data/C.json").toFile()).size()).isEqualTo(human + 2 * web); // all web + 1 synthetic per image
    assertThat(json.readTree(out.resolve("data/F.json").toFile()).size()).isBetween(human, human + web);
    // the profile's retrieval recipe reaches the filter and the downstream retrieval fine-tunes; captioning and pre-training keep theirs
    ReproductionProfile micro = ReproductionProfile.micro();
    for (String retrieval : List.of("filter", "retrieval-CF")) {
      com.fasterxml.jackson.databind.JsonNode c = json.readTree(out.resolve("configs").resolve(retrieval + ".json").toFile());
      assertThat(c.path("itm_negatives").asText()).as(retrieval).isEqualTo(micro.itmNegatives());
      assertThat(c.path("max_steps").asLong()).as(retrieval).isEqualTo(micro.retrievalSteps());
      assertThat(c.path("lr").path("init_lr").floatValue()).as(retrieval).isEqualTo(micro.retrievalLr());
    }
    for (String other : List.of("captioner", "pretrain-noboot")) {
      assertThat(json.readTree(out.resolve("configs").resolve(other + ".json").toFile()).path("itm_negatives").asText()).as(other).isEqualTo("hard");
    }
    assertThat(json.readTree(out.resolve("configs/captioner.json").toFile()).path("max_steps").asLong()).isEqualTo(micro.finetuneSteps());
    // every model has the profile's patches (the named size's own are 16), fine-tunes inheriting them from pre-training
    for (String m : List.of("pretrain-noboot", "pretrain-CF", "retrieval-cf", "caption-cf")) {
      assertThat(json.readTree(out.resolve("models").resolve(m).resolve("config.json").toFile()).path("vision_config").path("patch_size").asInt())
          .as(m).isEqualTo(micro.patchSize()).isNotEqualTo(PretrainJob.modelConfig(micro.model(), micro.imageSize()).vision().patchSize());
    }

    // the ViT is frozen after the warm-up: every model, pre-trained or fine-tuned on any dataset, carries the same vision weights
    assertThat(micro.visionFrozen()).isTrue();
    SafeTensors noboot = SafeTensors.open(out.resolve("models/pretrain-noboot/model.safetensors"));
    List<String> vision = noboot.names().stream().filter(n -> n.startsWith("vision_model.")).sorted().toList();
    assertThat(vision).hasSizeGreaterThan(10);
    for (String m : List.of("pretrain-CF", "pretrain-C", "retrieval-cf", "caption-cf", "filter", "captioner")) {
      SafeTensors other = SafeTensors.open(out.resolve("models").resolve(m).resolve("model.safetensors"));
      for (String n : vision) {
        assertThat(other.floats(n)).as(m + " " + n).containsExactly(noboot.floats(n));
      }
    }

    Path image = out.resolve("shapes/images").resolve(json.readTree(out.resolve("shapes/test.json").toFile()).get(0).path("image").asText());
    try (ImageTextMatcher itm = ImageTextMatcher.load(out.resolve("models/retrieval-cf"));
        Captioner cap = Captioner.load(out.resolve("models/caption-cf"))) {
      var decoded = new ImageDecoder().decode(image);
      assertThat(itm.matchDecoded(decoded, List.of("a red circle"), ImageTextMatcher.FirstToken.ENC)).hasSize(1);
      assertThat(cap.captionDecoded(List.of(decoded), Captioner.Options.defaults())).hasSize(1);
    }

    String md = Files.readString(out.resolve("report.md"));
    assertThat(md).contains("Table 1 analog", "| no bootstrap (human + web) |", "| C+F |", "| F: filter only |", "| C: captioner only |",
        "Table 2 analog", "| nucleus (C+F) |", "| beam (C+F) |", "wrong_attr", "figure4.png", "pretrain-noboot/loss.png", report.verdict());
    assertThat(report.verdict()).containsAnyOf("? YES", "? NO");
    assertThat(md).contains("After the warm-up the ViT is FROZEN");
    assertThat(md).containsPattern("Whatever the threshold: ROC AUC [01]\\.\\d{3} of clean over noisy; the best balance is at [01]\\.\\d{3}, which keeps "
        + "\\d+\\.\\d % and removes \\d+\\.\\d %\\.");
    assertThat(md).containsPattern("held-out scenes \\(`vision-warmup/heldout.json`; 0.5 is chance\\): colour [01]\\.\\d{3}, shape [01]\\.\\d{3}, count");
    assertThat(md).containsPattern("; shape [01]\\.\\d{3} on the \\d+ of them that hold one large object\\.");
    assertThat(report.rows()).containsKeys("noboot", "F", "C", "CF", "CF-beam");
    // judged by the world's truth: an image's own captions are true of it, so the true share is never below R@1
    com.fasterxml.jackson.databind.JsonNode cfEval = json.readTree(out.resolve("eval/CF.json").toFile());
    for (String split : List.of("retrieval_test", "retrieval_zs_test")) {
      com.fasterxml.jackson.databind.JsonNode t = cfEval.path(split).path("world_truth");
      assertThat(t.path("txt_true_r1").asDouble()).as(split).isGreaterThanOrEqualTo(cfEval.path(split).path("metrics").path("txt_r1").asDouble());
      assertThat(t.path("img_true_r1").asDouble()).as(split).isGreaterThanOrEqualTo(cfEval.path(split).path("metrics").path("img_r1").asDouble());
      assertThat(t.path("txt_r1_oracle").asDouble()).as(split).isBetween(1.0, 100.0);
      assertThat(t.path("img_r1_oracle").asDouble()).as(split).isBetween(1.0, 100.0);
      // the ITC-only recall of the same evaluation, under the reference names
      com.fasterxml.jackson.databind.JsonNode itc = cfEval.path(split).path("metrics_itc");
      List<String> names = new ArrayList<>();
      cfEval.path(split).path("metrics").fieldNames().forEachRemaining(names::add);
      assertThat(names).isNotEmpty();
      for (String name : names) {
        assertThat(itc.path(name).isNumber()).as(split + " metrics_itc." + name).isTrue();
        assertThat(itc.path(name).asDouble()).as(split + " metrics_itc." + name).isBetween(0.0, 100.0);
      }
    }
    assertThat(cfEval.path("caption_test").path("world_truth").path("captions_true").asDouble()).isBetween(0.0, 100.0);
    assertThat(md).contains("## Judged by the world's truth (test split)", "| C+F | ", "| TR@1 ITC alone |");
    assertThat(report.rows().get("CF").cider()).isNotNaN();
    assertThat(Files.readString(out.resolve("report.html"))).contains("<table>", "<img alt=\"figure 4\" src=\"figure4.png\">");

    // resume: delete one late stage's marker; only that stage (and the report) runs again
    String cfModel = sha256(out.resolve("models/pretrain-CF/model.safetensors"));
    String captionCf = sha256(out.resolve("caption-CF/model/model.safetensors"));
    Files.delete(out.resolve("eval/CF.json"));
    Events second = new Events();
    new Reproduction(ReproductionProfile.micro(), out, second).run();
    assertThat(second.started).containsExactly("eval-CF", "report");
    assertThat(second.skipped).hasSize(stages.size() - 2).doesNotContain("eval-CF");
    String evalCf = Files.readString(out.resolve("eval/CF.json"));

    // a training stage whose marker is lost (a crash after its last checkpoint) resumes from that checkpoint: same model bytes
    String beamModel = sha256(out.resolve("models/pretrain-CF-beam/model.safetensors"));
    Files.delete(out.resolve("pretrain-CF-beam/result.json"));
    Events third = new Events();
    new Reproduction(ReproductionProfile.micro(), out, third).run();
    assertThat(third.started).containsExactly("pretrain-CF-beam", "report");
    assertThat(sha256(out.resolve("models/pretrain-CF-beam/model.safetensors"))).isEqualTo(beamModel);

    // trained again from scratch, alone, it is the model it was beside the other pre-trainings (dropout masks per thread)
    String captionBeam = sha256(out.resolve("models/caption-cf-beam/model.safetensors"));
    Checkpoints.deleteTree(out.resolve("pretrain-CF-beam"));
    Checkpoints.deleteTree(out.resolve("caption-CF-beam"));
    Events fourth = new Events();
    new Reproduction(ReproductionProfile.micro(), out, fourth, 2).run();
    assertThat(fourth.started).containsExactly("pretrain-CF-beam", "caption-CF-beam", "report");
    assertThat(sha256(out.resolve("models/pretrain-CF-beam/model.safetensors"))).isEqualTo(beamModel);
    assertThat(sha256(out.resolve("models/caption-cf-beam/model.safetensors"))).isEqualTo(captionBeam);
    assertThat(Files.readString(out.resolve("eval/CF.json"))).isEqualTo(evalCf);
    assertThat(out.resolve("eval/CF.json")).isRegularFile();
    assertThat(sha256(out.resolve("models/pretrain-CF/model.safetensors"))).isEqualTo(cfModel);
    assertThat(sha256(out.resolve("caption-CF/model/model.safetensors"))).isEqualTo(captionCf);

    // another profile never mixes its stages with these, nor does another training seed
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Reproduction(ReproductionProfile.quick(), out, null).run())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("profile 'micro'").hasMessageContaining("'quick'");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Reproduction(micro.withSeed(7), out, null).run())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seed 42").hasMessageContaining("seed 7");
    // the profile's training seed reaches every training stage; the world keeps its own
    try (var configs = Files.list(out.resolve("configs"))) {
      List<Path> all = configs.toList();
      assertThat(all).hasSizeGreaterThan(10);
      for (Path c : all) {
        assertThat(json.readTree(c.toFile()).path("seed").asLong()).as(c.getFileName().toString()).isEqualTo(micro.seed()).isEqualTo(42);
      }
    }
    assertThat(md).contains("training seed 42");
  }
}
