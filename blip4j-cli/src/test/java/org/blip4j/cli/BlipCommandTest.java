package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.blip4j.cli.Cli.ASTRONAUT;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The root command, model-directory errors and the shared helpers. */
class BlipCommandTest {

  @Test
  void helpListsTheSubcommands() {
    Cli.Result r = Cli.run("--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).containsPattern("(?m)^\\s+caption\\s").containsPattern("(?m)^\\s+itm\\s")
        .containsPattern("(?m)^\\s+vqa\\s").containsPattern("(?m)^\\s+bench\\s");
  }

  @Test
  void subcommandHelpShowsTheDefaults() {
    Cli.Result r = Cli.run("caption", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("--no-prompt").contains("--sample").contains("--top-p").contains("Default: 0.9").contains("Default: 20");
  }

  @Test
  void noSubcommandIsAUsageError() {
    Cli.Result r = Cli.run();
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("subcommand");
  }

  @Test
  void versionIsPrinted() {
    Cli.Result r = Cli.run("--version");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("blip4j ");
  }

  @Test
  void aMissingModelDirectoryIsNamedWithoutAStackTrace(@TempDir Path tmp) {
    Path dir = tmp.resolve("no-such-model");
    Cli.Result r = Cli.run("caption", "--model", dir, ASTRONAUT, "--json");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: ").contains(dir.toString()).doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void verboseAddsTheStackTrace(@TempDir Path tmp) {
    Cli.Result r = Cli.run("vqa", "--verbose", "--model", tmp.resolve("none"), "--image", ASTRONAUT, "--question", "q?");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("error: ").contains("\tat org.blip4j.");
  }

  @Test
  void malformedConfigJsonIsNamed(@TempDir Path tmp) throws Exception {
    Path model = copyOfFixture("caption", tmp);
    Files.writeString(model.resolve("config.json"), "{\"architectures\": [\"BlipForConditionalGeneration\"], oops");
    Cli.Result r = Cli.run("caption", "--model", model, ASTRONAUT);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains(model.resolve("config.json").toString()).doesNotContain("\tat ");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aConfigOfTheWrongTypeIsNamed(@TempDir Path tmp) throws Exception {
    Path model = copyOfFixture("vqa", tmp);
    Files.writeString(model.resolve("config.json"), "[1, 2]");
    Cli.Result r = Cli.run("vqa", "--model", model, "--image", ASTRONAUT, "--question", "q?");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("config.json").doesNotContain("\tat ");
  }

  @Test
  void missingWeightsAreNamed(@TempDir Path tmp) throws Exception {
    Path model = copyOfFixture("caption", tmp);
    Files.delete(model.resolve("model.safetensors"));
    Cli.Result r = Cli.run("caption", "--model", model, ASTRONAUT);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("model.safetensors");
  }

  @Test
  void trimPaddingRemovesOnlyPadsAfterSep() {
    assertThat(Common.trimPadding(new long[] {30522, 7, 102, 0, 0}, 102, 0)).containsExactly(30522, 7, 102);
    assertThat(Common.trimPadding(new long[] {30522, 7, 102}, 102, 0)).containsExactly(30522, 7, 102);
    // hit max length: no [SEP], nothing removed, even a generated 0 at the end
    assertThat(Common.trimPadding(new long[] {30522, 7, 8}, 102, 0)).containsExactly(30522, 7, 8);
    assertThat(Common.trimPadding(new long[] {30522, 7, 0, 0}, 102, 0)).containsExactly(30522, 7, 0, 0);
  }

  @Test
  void progressLinesPerBatchOffConsoleAndInPlaceOnConsole() {
    StringWriter log = new StringWriter();
    Progress p = new Progress("captioned", 10, new PrintWriter(log, true), false);
    p.update(4);
    p.update(10);
    assertThat(log.toString().split("\n")).hasSize(2);
    assertThat(log.toString()).contains("captioned 4/10 images").contains("captioned 10/10 images").contains("ETA 0:00");

    StringWriter console = new StringWriter();
    Progress q = new Progress("captioned", 10, new PrintWriter(console, true), true);
    q.update(4);
    q.clear();
    q.update(10);
    q.finish();
    assertThat(console.toString()).startsWith("\rcaptioned 4/10").endsWith("\n").contains("\rcaptioned 10/10");
    assertThat(console.toString().chars().filter(c -> c == '\n').count()).isEqualTo(1);
    assertThat(Progress.clock(3725)).isEqualTo("1:02:05");
    assertThat(Progress.clock(65)).isEqualTo("1:05");
  }

  /** A fixture model directory rebuilt in {@code tmp} from symlinks, so that one file can be replaced. */
  static Path copyOfFixture(String name, Path tmp) throws Exception {
    Path src = Fixtures.fixture(name);
    Path dst = Files.createDirectories(tmp.resolve(name));
    try (var files = Files.list(src)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.createSymbolicLink(dst.resolve(f.getFileName()), f.toAbsolutePath());
      }
    }
    Files.delete(dst.resolve("config.json"));
    Files.copy(src.resolve("config.json"), dst.resolve("config.json"));
    return dst;
  }
}
