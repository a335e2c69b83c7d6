package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code blip bench} times the chosen workloads; one without a reference prints no ratio. */
class BenchCommandTest {
  @Test
  void tinyBenchTimesVqaRankModeAndItcWithTheirReferences() {
    Cli.Result r = Cli.run("bench", "--config", "tiny", "--only", "vqa_rank_k128,itc_16", "--runs", "1", "--warmup", "0");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("(?m)^vqa_rank_k128\\s+\\d+\\.\\d{3}\\s+–\\s+–$")
        .containsPattern("(?m)^itc_16\\s+\\d+\\.\\d{3}\\s+1\\.66\\s+\\d+\\.\\d{2}x$")
        .doesNotContain("vision_b1");
  }

  @Test
  void unknownWorkloadIsNamed() {
    Cli.Result r = Cli.run("bench", "--config", "tiny", "--only", "vqa_rank");
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.err()).contains("unknown workload 'vqa_rank'", "vqa_rank_k128");
  }
}
