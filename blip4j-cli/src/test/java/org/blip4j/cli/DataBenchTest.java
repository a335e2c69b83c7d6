package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code blip bench --data --json} measures every (size, threads) workload with a positive rate. */
class DataBenchTest {
  @Test
  void dataBenchReportsSamplesPerSecondForEveryWorkload() throws Exception {
    Cli.Result r = Cli.run("bench", "--data", "--runs", "1", "--warmup", "0", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode o = new ObjectMapper().readTree(r.out().strip());
    for (String key : new String[] {"data_96px_t1", "data_96px_t2", "data_224px_t1", "data_224px_t2", "data_384px_t1", "data_384px_t2"}) {
      assertThat(o.get(key)).as(key).isNotNull();
      assertThat(o.get(key).asDouble()).as(key).isGreaterThan(1.0);
    }
  }
}
