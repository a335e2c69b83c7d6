package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code blip pretrain} end to end in child JVMs: a run killed with SIGKILL mid-epoch and resumed
 * ends with exactly the parameters of an uninterrupted run, and its metrics hold every step once with
 * the same losses; bad configs are refused naming the key.
 */
class PretrainCommandTest {
  static final int STEPS = 20;
  @TempDir static Path dir;
  static Path config;

  @BeforeAll
  static void writeConfig() throws IOException {
    config = dir.resolve("pretrain-micro.json");
    Files.writeString(config, """
        {
          "model": "tiny", "image_size": 32,
          "shapes": {"dir": "%s", "scale": 0.01, "noise": 0.4, "image_size": 48, "seed": 3},
          "datasets": [{"shapes": "human_train"}],
          "batch_size": 4, "epochs": 2, "max_steps": %d,
          "lr": {"schedule": "step", "init_lr": 1e-3, "min_lr": 1e-6, "warmup_lr": 1e-6, "warmup_steps": 5, "decay_rate": 0.9},
          "queue_size": 8, "momentum": 0.99, "min_crop_scale": 0.5, "rand_augment": true,
          "seed": 7, "loader_threads": 2, "log_every": 1, "checkpoint_every": 3, "keep_last": 2
        }
        """.formatted(dir.resolve("shapes").toString().replace("\\", "/"), STEPS));
  }

  static Process start(Path out, boolean resume) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "org.blip4j.cli.BlipCommand", "pretrain",
        "--config", config.toString(), "--out", out.toString()));
    if (resume) {
      cmd.add("--resume");
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.resolveSibling(out.getFileName() + (resume ? ".resume" : "") + ".log").toFile());
    pb.environment().put("BLIP4J_THREADS", "1"); // deterministic: the same intra-op thread count in every run
    Files.createDirectories(out.getParent());
    return pb.start();
  }

  static int finish(Process p, Path out) throws Exception {
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("child run in " + out + " finished in time").isTrue();
    return p.exitValue();
  }

  static List<String> metricLines(Path out) throws IOException {
    Path f = out.resolve("metrics.jsonl");
    return Files.exists(f) ? Files.readAllLines(f).stream().filter(l -> !l.isBlank()).toList() : List.of();
  }

  static String sha256(Path file) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  static String withoutTiming(String metricsLine) {
    return metricsLine.replaceAll(",\"seconds\".*", "");
  }

  @Test
  void killedWithSigkillMidEpochAndResumedEndsIdenticalToAnUninterruptedRun() throws Exception {
    Path straight = dir.resolve("straight");
    assertThat(finish(start(straight, false), straight)).as(Files.readString(dir.resolve("straight.log"))).isZero();

    Path crashed = dir.resolve("crashed");
    Process p = start(crashed, false);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (metricLines(crashed).size() < 8 && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no flush
    p.waitFor(30, TimeUnit.SECONDS);
    List<String> beforeKill = metricLines(crashed);
    assertThat(p.exitValue()).as("the run was killed, not finished").isEqualTo(137);
    assertThat(Files.exists(crashed.resolve("model"))).isFalse();
    assertThat(beforeKill.size()).as("steps logged before the kill").isBetween(8, STEPS - 1);

    assertThat(finish(start(crashed, true), crashed)).as(Files.readString(dir.resolve("crashed.resume.log"))).isZero();
    assertThat(Files.readString(dir.resolve("crashed.resume.log"))).contains("resuming at step");

    assertThat(sha256(crashed.resolve("model/model.safetensors"))).as("final parameters (HF layout), resumed vs uninterrupted")
        .isEqualTo(sha256(straight.resolve("model/model.safetensors")));
    String last = String.format("checkpoints/step-%08d/", STEPS);
    for (String f : List.of("model.safetensors", "optimizer.safetensors")) {
      assertThat(sha256(crashed.resolve(last + f))).as("last checkpoint's " + f).isEqualTo(sha256(straight.resolve(last + f)));
    }

    List<String> straightLines = metricLines(straight);
    List<String> crashedLines = metricLines(crashed);
    assertThat(crashedLines).hasSize(STEPS);
    for (int i = 0; i < STEPS; i++) {
      assertThat(withoutTiming(crashedLines.get(i))).startsWith("{\"step\":" + i + ",").isEqualTo(withoutTiming(straightLines.get(i)));
    }
    for (int i = 0; i < beforeKill.size(); i++) { // every step finished before the kill is in the final log, unchanged
      assertThat(withoutTiming(crashedLines.get(i))).isEqualTo(withoutTiming(beforeKill.get(i)));
    }
  }

  @Test
  void pretrainedModelIsFineTunedForCaptioningAndLoadsInBlipCaption() throws Exception {
    Path pre = dir.resolve("pre-for-ft");
    Cli.Result r = Cli.run("pretrain", "--config", config, "--out", pre, "--max-steps", "3");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    Path ftConfig = dir.resolve("ft.json");
    Files.writeString(ftConfig, Files.readString(config).replace("\"model\": \"tiny\",", "\"init\": \"" + pre.resolve("model").toString().replace("\\", "/") + "\","));
    Path ft = dir.resolve("ft");
    r = Cli.run("finetune", "caption", "--config", ftConfig, "--out", ft, "--max-steps", "3");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("fine-tuned (caption) 3 steps");
    assertThat(metricLines(ft)).hasSize(3).allMatch(l -> l.contains("\"loss\":"));
    Path image = Files.list(dir.resolve("shapes/images/human_train")).sorted().findFirst().orElseThrow();
    r = Cli.run("caption", "--model", ft.resolve("model"), "--json", image);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.json().get(0).get("token_ids").get(0).asLong()).isEqualTo(30522);
    r = Cli.run("caption", "--model", pre.resolve("model"), "--json", image); // the pre-training directory serves as a captioner
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.json().get(0).get("token_ids").get(0).asLong()).isEqualTo(30522);

    Path ftr = dir.resolve("ft-retrieval");
    r = Cli.run("finetune", "retrieval", "--config", ftConfig, "--out", ftr, "--max-steps", "3");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(metricLines(ftr)).hasSize(3).allMatch(l -> l.contains("\"itc\":") && l.contains("\"itm\":"));
    r = Cli.run("itm", "--model", ftr.resolve("model"), "--json", "--text", "a red circle", "--image", image);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.json().get(0).get("itm_match_prob").asDouble()).isBetween(0.0, 1.0);
    Path ftConfig2 = dir.resolve("ft2.json");
    Files.writeString(ftConfig2, Files.readString(ftConfig).replace(pre.resolve("model").toString().replace("\\", "/"), ft.resolve("model").toString().replace("\\", "/")));
    r = Cli.run("finetune", "retrieval", "--config", ftConfig2, "--out", dir.resolve("ft-bad"));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("starts from a BlipForPretraining").contains("BlipForConditionalGeneration");

    r = Cli.run("finetune", "nosuchtask", "--config", ftConfig, "--out", dir.resolve("ft-nosuchtask"));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("unknown fine-tuning task 'nosuchtask'");
  }

  @Test
  void configErrorsNameTheFileAndKey() throws IOException {
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"model\": \"tiny\", \"datasets\": [{\"path\": \"a.json\"}], \"batch_sise\": 4}");
    Cli.Result r = Cli.run("pretrain", "--config", bad, "--out", dir.resolve("bad-run"));
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("bad.json").contains("batch_sise");

    Files.writeString(bad, "{\"model\": \"tiny\", \"datasets\": [{\"path\": \"x.json\", \"shapes\": \"human_train\"}]}");
    r = Cli.run("pretrain", "--config", bad, "--out", dir.resolve("bad-run"));
    assertThat(r.err()).contains("exactly one of 'path' or 'shapes'");

    Files.writeString(bad, "{\"model\": \"tiny\", \"datasets\": [{\"path\": \"a.json\"}], \"drop_path\": 1}");
    r = Cli.run("pretrain", "--config", bad, "--out", dir.resolve("bad-run"));
    assertThat(r.err()).contains("bad.json").contains("drop_path must be in [0, 1), got 1.0");

    Files.writeString(bad, "{\"model\": \"tiny\", \"image_size\": 32, \"patch_size\": 5, \"datasets\": [{\"path\": \"a.json\"}]}");
    r = Cli.run("pretrain", "--config", bad, "--out", dir.resolve("bad-run"));
    assertThat(r.err()).contains("bad.json").contains("patch_size must divide image_size 32, got 5");

    Files.writeString(bad, "{\"init\": \"m\", \"patch_size\": 8, \"datasets\": [{\"path\": \"a.json\"}]}");
    r = Cli.run("pretrain", "--config", bad, "--out", dir.resolve("bad-run"));
    assertThat(r.err()).contains("bad.json").contains("patch_size shapes a fresh model");

    r = Cli.run("pretrain", "--config", dir.resolve("missing.yaml"), "--out", dir.resolve("bad-run"));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("missing.yaml");
  }

  @Test
  void yamlConfigsReadLikeJson() throws IOException {
    Path yaml = dir.resolve("c.yaml");
    Files.writeString(yaml, "model: tiny\nimage_size: 32\nbatch_size: 4\nqueue_size: 6\ndatasets:\n  - path: a.json\n");
    Cli.Result r = Cli.run("pretrain", "--config", yaml, "--out", dir.resolve("yaml-run"));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("queue_size 6 must be a multiple of batch_size 4");
    assertThat(new File(dir.resolve("yaml-run").toString())).doesNotExist();
  }
}
