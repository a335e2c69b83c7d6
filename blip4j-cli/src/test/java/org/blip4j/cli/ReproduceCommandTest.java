package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code blip reproduce}: its help, and a bad {@code --scale} or {@code --seed} refused as a usage error before anything runs. */
class ReproduceCommandTest {
  @Test
  void helpDescribesTheOptions() {
    Cli.Result r = Cli.run("reproduce", "--help");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("--scale", "quick|full", "--out", "--json", "--seed", "Default: quick", "report.md");
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
  }
}
