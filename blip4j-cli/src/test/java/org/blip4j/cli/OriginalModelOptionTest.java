package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --model} takes an original .pth; {@code --med-config} supplies its BERT config when none is beside it. */
class OriginalModelOptionTest {
  @Test
  void captionFromAPthWithMedConfigElsewhere(@TempDir Path dir) throws Exception {
    Path pth = dir.resolve("blip.pth");
    Files.copy(Fixtures.fixture("original/caption/model.pth"), pth);
    JsonNode gen = Fixtures.json("caption/case.json").get("generation").get("beam3_prompt");

    Cli.Result missing = Cli.run("caption", "--model", pth, "--json", Cli.CHELSEA);
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("med_config.json").contains("--med-config");

    Cli.Result ok = Cli.run("caption", "--model", pth, "--med-config", Fixtures.fixture("original/caption/med_config.json"), "--json", Cli.CHELSEA);
    assertThat(ok.exitCode()).as(ok.err()).isZero();
    JsonNode line = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ok.out().strip());
    assertThat(Cli.longs(line.get("token_ids"))).isEqualTo(Cli.expectedIds(gen.get("sequences"), 1));
    assertThat(line.get("caption").asText()).isEqualTo(gen.get("caption_after_prompt").get(1).asText());
  }
}
