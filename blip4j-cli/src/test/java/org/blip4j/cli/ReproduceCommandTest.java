package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.blip4j.reproduce.Reproduction;
import org.blip4j.reproduce.ReproductionProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code blip reproduce}: its help, and a bad {@code --scale}, {@code --seed}, {@code --model}, {@code --single-object-steps} or {@code --warmup-steps} refused as a usage error before anything runs;
 * {@code blip reproduce seeds} on hand-made finished runs.
 */
class ReproduceCommandTest {
  @Test
  void helpDescribesTheOptions() {
    Cli.Result r = Cli.run("reproduce", "--help");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("--scale", "quick|full", "--out", "--json", "--seed", "--model", "midi", "--single-object-steps", "--warmup-steps", "Default: quick", "report.md");
    assertThat(Cli.run("--help").out()).containsPattern("(?m)^\\s+reproduce\\s");
  }

  @Test
  void aBadScaleIsAUsageError(@TempDir Path tmp) {
    Cli.Result r = Cli.run("reproduce", "--scale", "huge", "--out", tmp.resolve("r"));
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("--scale must be quick or full, got 'huge'");
    assertThat(tmp.resolve("r")).doesNotExist();
    Cli.Result seed = Cli.run("reproduce", "--seed", "seven", "--out", tmp.resolve("s"));
    assertThat(seed.exitCode()).as(seed.toString()).isEqualTo(2);
    assertThat(seed.err()).contains("--seed");
    assertThat(tmp.resolve("s")).doesNotExist();
    Cli.Result model = Cli.run("reproduce", "--model", "huge", "--out", tmp.resolve("m"));
    assertThat(model.exitCode()).as(model.toString()).isEqualTo(2);
    assertThat(model.err()).contains("--model must be one of tiny, mini, midi, small, base, large, got 'huge'");
    assertThat(tmp.resolve("m")).doesNotExist();
    Cli.Result steps = Cli.run("reproduce", "--single-object-steps", "-5", "--out", tmp.resolve("o"));
    assertThat(steps.exitCode()).as(steps.toString()).isEqualTo(2);
    assertThat(steps.err()).contains("--single-object-steps must be >= 0", "got -5");
    assertThat(tmp.resolve("o")).doesNotExist();
    Cli.Result warmup = Cli.run("reproduce", "--warmup-steps", "0", "--out", tmp.resolve("w"));
    assertThat(warmup.exitCode()).as(warmup.toString()).isEqualTo(2);
    assertThat(warmup.err()).contains("--warmup-steps must be >= 1, got 0");
    assertThat(tmp.resolve("w")).doesNotExist();
  }

  @Test
  void warmupLengthsReachTheProfile(@TempDir Path tmp) throws Exception {
    // a directory made with the plain quick profile refuses the same profile with another warm-up length before any stage runs
    Path dir = Files.createDirectories(tmp.resolve("q"));
    Files.writeString(dir.resolve("profile.json"), Reproduction.profileJson(ReproductionProfile.quick()));
    Cli.Result r = Cli.run("reproduce", "--scale", "quick", "--single-object-steps", "100", "--out", dir);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("holds a reproduction with other settings");
    assertThat(dir.resolve("shapes")).doesNotExist();
    Cli.Result w = Cli.run("reproduce", "--scale", "quick", "--warmup-steps", "100", "--out", dir);
    assertThat(w.exitCode()).as(w.toString()).isEqualTo(1);
    assertThat(w.err()).contains("holds a reproduction with other settings");
    assertThat(dir.resolve("shapes")).doesNotExist();
  }

  /** A finished quick run with {@code seed}: every row at TR@1 / IR@1 {@code noboot}, CIDEr 0.2; CF at {@code cf}. */
  private static Path run(Path dir, long seed, double noboot, double cf) throws Exception {
    ReproductionProfile quick = ReproductionProfile.quick().withSeed(seed);
    Files.createDirectories(dir.resolve("eval"));
    Files.writeString(dir.resolve("profile.json"), Reproduction.profileJson(quick));
    for (String m : new Reproduction(quick, dir, null).rows()) {
      double v = m.equals("CF") ? cf : noboot;
      Files.writeString(dir.resolve("eval").resolve(m + ".json"), String.format(Locale.ROOT, """
          {"retrieval_test": {"metrics": {"txt_r1": %s, "img_r1": %s}}, "retrieval_zs_test": {"metrics": {"txt_r1": 1, "img_r1": 1}},
           "caption_test": {"metrics": {"Bleu_4": 0.1, "CIDEr": %s}}}""", v, v, v / 100));
    }
    return dir;
  }

  @Test
  void seedsSummarisesFinishedRuns(@TempDir Path tmp) throws Exception {
    Path a = run(tmp.resolve("a"), 1, 10, 12);
    Path b = run(tmp.resolve("b"), 2, 10, 8);
    Path md = tmp.resolve("sum/seeds.md");
    Cli.Result r = Cli.run("reproduce", "seeds", a, b, "--out", md);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("VERDICT ACROSS 2 SEEDS (1, 2): MIXED", "| noboot | 10.0 ± 0.0 [10.0, 10.0] |", "| CF | +0.0 ± 2.8 (better in 1/2) |");
    assertThat(Files.readString(md)).isEqualTo(r.out());

    Cli.Result j = Cli.run("reproduce", "seeds", "--json", a, b);
    assertThat(j.exitCode()).as(j.toString()).isZero();
    JsonNode json = new ObjectMapper().readTree(j.out());
    assertThat(json.path("wins").asInt()).isEqualTo(1);
    assertThat(json.at("/rows/CF/txt_r1/sd").asDouble()).isCloseTo(Math.sqrt(8), org.assertj.core.data.Offset.offset(1e-12));

    Cli.Result one = Cli.run("reproduce", "seeds", a);
    assertThat(one.exitCode()).as(one.toString()).isEqualTo(2);
    Cli.Result same = Cli.run("reproduce", "seeds", a, a);
    assertThat(same.exitCode()).as(same.toString()).isEqualTo(1);
    assertThat(same.err()).contains("both ran seed 1");
    assertThat(Cli.run("reproduce", "--help").out()).contains("blip reproduce seeds");
  }
}
