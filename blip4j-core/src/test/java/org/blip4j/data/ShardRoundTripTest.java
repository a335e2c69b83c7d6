package org.blip4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ShardWriter → ShardReader, determinism, and tar interoperability with GNU tar. */
class ShardRoundTripTest {

  private record In(String key, String ext, byte[] image, String caption, Map<String, Object> meta) {}

  private static List<In> inputs() {
    List<In> in = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      Map<String, Object> meta = new LinkedHashMap<>();
      if (i % 3 != 0) {
        meta.put("width", 8 + i);
        meta.put("key", String.format("%09d", i));
        meta.put("noise", i % 2 == 0 ? "clean_web" : "unrelated");
      }
      boolean png = i % 2 == 0;
      in.add(new In(String.format("%09d", i), png ? "png" : "jpg",
          png ? TestImages.png(8 + i, 8, i) : TestImages.jpeg(16, 8 + i, i), "caption " + i + " \u00e9\u4e2d\n", meta));
    }
    return in;
  }

  private static List<Path> write(Path dir, List<In> in, int perShard) throws IOException {
    try (ShardWriter w = new ShardWriter(dir, perShard)) {
      for (In s : in) {
        w.write(s.key(), s.ext(), s.image(), s.caption(), s.meta());
      }
      return w.shards();
    }
  }

  @Test
  void writerThenReaderPreservesBytesOrderCaptionsAndMeta(@TempDir Path dir) throws IOException {
    List<In> in = inputs();
    List<Path> shards = write(dir, in, 3);
    assertThat(shards).extracting(p -> p.getFileName().toString()).containsExactly("00000.tar", "00001.tar", "00002.tar");
    BadSampleCounter bad = new BadSampleCounter();
    List<Sample> out;
    try (ShardReader r = ShardReader.openDirectory(dir, ReadOptions.of(dir, bad).withImageCheck(ImageCheck.DECODE))) {
      out = r.stream().toList();
    }
    assertThat(bad.total()).isZero();
    assertThat(out).hasSize(in.size());
    for (int i = 0; i < in.size(); i++) {
      Sample s = out.get(i);
      assertThat(s.key()).isEqualTo(in.get(i).key());
      assertThat(s.image().readBytes()).isEqualTo(in.get(i).image());
      assertThat(((ImageRef.Bytes) s.image()).extension()).isEqualTo(in.get(i).ext());
      assertThat(s.captions()).containsExactly(in.get(i).caption());
      assertThat(s.meta()).isEqualTo(in.get(i).meta());
    }
    assertThat(out.get(3).image().source()).isEqualTo(dir.resolve("00001.tar") + ":000000003.jpg");
  }

  @Test
  void writerOutputIsDeterministicAndRecordPadded(@TempDir Path dir) throws IOException {
    List<In> in = inputs();
    List<Path> a = write(dir.resolve("a"), in, 4);
    // same content, meta maps built in another key order: identical bytes (json keys are sorted)
    List<In> reordered = new ArrayList<>();
    for (In s : in) {
      Map<String, Object> m = new LinkedHashMap<>();
      List<String> keys = new ArrayList<>(s.meta().keySet());
      java.util.Collections.reverse(keys);
      keys.forEach(k -> m.put(k, s.meta().get(k)));
      reordered.add(new In(s.key(), s.ext(), s.image().clone(), s.caption(), m));
    }
    List<Path> b = write(dir.resolve("b"), reordered, 4);
    assertThat(a).hasSize(2);
    for (int i = 0; i < a.size(); i++) {
      byte[] x = Files.readAllBytes(a.get(i));
      assertThat(x).isEqualTo(Files.readAllBytes(b.get(i)));
      assertThat(x.length % 10240).isZero();
    }
    byte[] json = memberData(Files.readAllBytes(a.get(0)), "000000001.json");
    assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo("{\"key\":\"000000001\",\"noise\":\"unrelated\",\"width\":9}");
  }

  @Test
  void writingASampleReadFromAFolderKeepsItsFileBytes(@TempDir Path dir) throws IOException {
    byte[] png = TestImages.png(8, 8, 1);
    Files.write(dir.resolve("x.png"), png);
    Sample s = new Sample("k1", new ImageRef.File(dir.resolve("x.png")), List.of("cap"), Map.of());
    try (ShardWriter w = new ShardWriter(dir.resolve("out"), 10)) {
      w.write(s);
      assertThatThrownBy(() -> w.write(s)).hasMessageContaining("repeats the previous");
      assertThatThrownBy(() -> w.write("a.b", "png", png, "c", Map.of())).hasMessageContaining("no '.'");
    }
    try (ShardReader r = ShardReader.openDirectory(dir.resolve("out"), ReadOptions.of(dir, new BadSampleCounter()))) {
      Sample back = r.next();
      assertThat(back.key()).isEqualTo("k1");
      assertThat(back.image().readBytes()).isEqualTo(png);
      assertThat(((ImageRef.Bytes) back.image()).name()).isEqualTo("k1.png");
      assertThat(back.meta()).isEmpty();
      assertThat(r.hasNext()).isFalse();
    }
  }

  @Test
  void tarWriterOutputIsReadByGnuTarAndTarReaderReadsGnuTarOutput(@TempDir Path dir) throws Exception {
    String longDir = "d".repeat(60) + "/" + "e".repeat(60);
    byte[] big = new byte[1500];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 7);
    }
    Path ours = dir.resolve("ours.tar");
    try (TarWriter w = new TarWriter(Files.newOutputStream(ours))) {
      w.add("a.txt", "hello".getBytes(StandardCharsets.UTF_8));
      w.add(longDir + "/k.bin", big);
    }
    Path x = Files.createDirectories(dir.resolve("x"));
    run(x, "tar", "-xf", ours.toString());
    assertThat(Files.readString(x.resolve("a.txt"))).isEqualTo("hello");
    assertThat(Files.readAllBytes(x.resolve(longDir + "/k.bin"))).isEqualTo(big);

    // GNU tar in its default (gnu) and pax formats: long names via 'L' and 'x' headers, directories skipped
    String veryLong = "f".repeat(120) + "/" + "g".repeat(110) + ".bin";
    Files.createDirectories(x.resolve(veryLong).getParent());
    Files.write(x.resolve(veryLong), big);
    for (String format : List.of("gnu", "pax", "ustar")) {
      Path t = dir.resolve(format + ".tar");
      if (format.equals("ustar")) {
        run(x, "tar", "--format=ustar", "-cf", t.toString(), "a.txt", longDir + "/k.bin");
      } else {
        run(x, "tar", "--format=" + format, "-cf", t.toString(), "a.txt", longDir, veryLong);
      }
      Map<String, byte[]> got = new LinkedHashMap<>();
      try (TarReader r = new TarReader(Files.newInputStream(t), t.toString(), 1 << 20)) {
        for (TarReader.Entry e = r.next(); e != null; e = r.next()) {
          got.put(e.name(), e.data());
        }
      }
      assertThat(got).as(format).containsKeys("a.txt", longDir + "/k.bin");
      assertThat(got.get(longDir + "/k.bin")).isEqualTo(big);
      if (!format.equals("ustar")) {
        assertThat(got).as(format).containsEntry(veryLong, big).hasSize(3);
      }
    }
  }

  @Test
  void corruptHeaderChecksumIsReported() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(b)) {
      w.add("a.txt", new byte[] {1, 2, 3});
    }
    byte[] t = b.toByteArray();
    t[0] = 'b';
    try (TarReader r = new TarReader(new ByteArrayInputStream(t), "mem.tar", 100)) {
      assertThatThrownBy(r::next).isInstanceOf(TarFormatException.class).hasMessageContaining("mem.tar")
          .hasMessageContaining("checksum");
    }
  }

  @Test
  void keyIsThePathUpToTheFirstDotOfTheFileName() {
    assertThat(ShardReader.keyOf("dir.v2/000001.seg.jpg")).isEqualTo("dir.v2/000001");
    assertThat(ShardReader.keyOf("000001")).isEqualTo("000001");
  }

  private static byte[] memberData(byte[] tar, String name) throws IOException {
    try (TarReader r = new TarReader(new ByteArrayInputStream(tar), "mem", 1 << 20)) {
      for (TarReader.Entry e = r.next(); e != null; e = r.next()) {
        if (e.name().equals(name)) {
          return e.data();
        }
      }
    }
    throw new AssertionError(name + " not in archive");
  }

  private static void run(Path cwd, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("%s: %s", String.join(" ", cmd), out).isZero();
  }
}
