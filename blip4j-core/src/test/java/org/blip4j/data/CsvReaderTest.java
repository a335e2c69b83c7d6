package org.blip4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.blip4j.image.ImageDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV/TSV with RFC 4180 quoting. */
class CsvReaderTest {

  private static ReadOptions opts(Path dir, BadSampleCounter bad) {
    return new ReadOptions(dir, ImageCheck.NONE, new ImageDecoder(), bad);
  }

  @Test
  void csvQuotingRoundTrips(@TempDir Path dir) throws IOException {
    String csv = "\uFEFFimage,caption,source\r\n"
        + "a.png,plain caption,web\r\n"
        + "\"b c.png\",\"comma, inside\",\"\"\r\n"
        + "d.png,\"a \"\"quoted\"\" word\",x\n"
        + "e.png,\"two\r\nlines\",y\r\n"
        + "\r\n"
        + "f.png,\u00e9t\u00e9 \u4e2d,z"; // no final newline
    Path f = Files.writeString(dir.resolve("a.csv"), csv);
    BadSampleCounter bad = new BadSampleCounter();
    List<Sample> s;
    try (CsvReader r = CsvReader.csv(f, opts(dir, bad))) {
      s = r.stream().toList();
    }
    assertThat(s).containsExactly(
        new Sample("a.png#0", new ImageRef.File(dir.resolve("a.png")), List.of("plain caption"), Map.of("source", "web")),
        new Sample("b c.png#1", new ImageRef.File(dir.resolve("b c.png")), List.of("comma, inside"), Map.of("source", "")),
        new Sample("d.png#2", new ImageRef.File(dir.resolve("d.png")), List.of("a \"quoted\" word"), Map.of("source", "x")),
        new Sample("e.png#3", new ImageRef.File(dir.resolve("e.png")), List.of("two\r\nlines"), Map.of("source", "y")),
        new Sample("f.png#4", new ImageRef.File(dir.resolve("f.png")), List.of("\u00e9t\u00e9 \u4e2d"), Map.of("source", "z")));
    assertThat(bad.total()).isZero();
  }

  @Test
  void tsvWithKeyColumnAndBadRows(@TempDir Path dir) throws IOException {
    String tsv = "key\tfilepath\ttext\n"
        + "k1\timg/1.jpg\ta caption, with comma\n"
        + "k2\timg/2.jpg\n"
        + "k3\timg/3.jpg\t\"quoted\"junk\n"
        + "k4\timg/4.jpg\t\"tab\tinside\"\n"
        + "k5\timg/5.jpg\t\"never closed\n";
    Path f = Files.writeString(dir.resolve("a.tsv"), tsv);
    BadSampleCounter bad = new BadSampleCounter();
    List<Sample> s;
    try (CsvReader r = CsvReader.tsv(f, opts(dir, bad))) {
      s = r.stream().toList();
    }
    assertThat(s).extracting(Sample::key).containsExactly("k1", "k4");
    assertThat(s).extracting(Sample::caption).containsExactly("a caption, with comma", "tab\tinside");
    assertThat(s.get(1).image()).isEqualTo(new ImageRef.File(dir.resolve("img/4.jpg")));
    assertThat(bad.samples()).extracting(BadSampleCounter.BadSample::key)
        .containsExactly(f + ":3", f + ":4", f + ":6");
    assertThat(bad.counts()).containsExactly(entry(BadReason.MALFORMED_RECORD, 3L));
  }

  @Test
  void headerWithoutImageColumnIsAUserError(@TempDir Path dir) throws IOException {
    Path f = Files.writeString(dir.resolve("h.csv"), "url,caption\nhttp://x,y\n");
    assertThatThrownBy(() -> CsvReader.csv(f, opts(dir, new BadSampleCounter())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(f.toString()).hasMessageContaining("image column");
  }
}
