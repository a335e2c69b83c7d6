package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code blip data shapes}. */
class DataCommandTest {

  @Test
  void shapesWritesTheWorldAndASummary(@TempDir Path tmp) {
    Path out = tmp.resolve("world");
    Cli.Result r = Cli.run("data", "shapes", "--out", out, "--scale", "0.005", "--seed", "3", "--image-size", "64");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    for (String f : new String[] {"human_train.json", "web_train.json", "test.json", "val.json", "zs_test.json", "vqa_train.json",
        "vqa_test.json", "nlvr_train.json", "nlvr_test.json", "answer_list.json", "summary.json", "web_train_noise.json", "video_test.json", "video_qa_test.json", "dialog_test.json"}) {
      assertThat(out.resolve(f)).isRegularFile();
    }
    assertThat(out.resolve("images/human_train/000000.png")).isRegularFile();
    assertThat(out.resolve("images/nlvr_test/000000_1.png")).isRegularFile();
    assertThat(out.resolve("images/video_test/000000/07.png")).isRegularFile();
    assertThat(r.out()).contains("wrote ").contains("images/s").contains("web_train").contains("clean_web");
    assertThat(r.err()).contains("images/s").contains("ETA");
  }

  @Test
  void aBadNoiseIsAUsageError(@TempDir Path tmp) {
    Cli.Result r = Cli.run("data", "shapes", "--out", tmp, "--noise", "1.5");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("noise");
  }

  @Test
  void missingOutIsAUsageError() {
    Cli.Result r = Cli.run("data", "shapes");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--out");
  }
}
