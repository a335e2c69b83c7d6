package org.blip4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder and a set of shards full of bad samples are read to the end: every bad sample is counted
 * under its reason with its key, every good sample is delivered, in order.
 */
class RobustnessTest {

  private static Map<String, BadReason> byKey(BadSampleCounter c) {
    Map<String, BadReason> m = new LinkedHashMap<>();
    for (BadSampleCounter.BadSample b : c.samples()) {
      m.put(b.key(), b.reason());
    }
    return m;
  }

  @Test
  void folderWithBadFilesAndLinesIsReadToTheEnd(@TempDir Path dir) throws IOException {
    Path img = Files.createDirectories(dir.resolve("img"));
    byte[] good0 = TestImages.png(8, 8, 0);
    Files.write(img.resolve("good0.png"), good0);
    Files.write(img.resolve("good1.jpg"), TestImages.jpeg(16, 16, 1));
    Files.write(img.resolve("trunc.jpg"), TestImages.truncatedJpeg(2));
    Files.write(img.resolve("zero.jpg"), new byte[0]);
    Files.write(img.resolve("html.jpg"), TestImages.notAnImage());
    Files.write(img.resolve("bomb.png"), TestImages.pngHeader(20_000, 20_000));
    Files.write(img.resolve("good3.png"), TestImages.png(8, 8, 3));
    Files.write(img.resolve("good4.png"), TestImages.png(8, 8, 4));
    Files.write(img.resolve("good5.jpg"), TestImages.jpeg(16, 16, 5));

    ByteArrayOutputStream jsonl = new ByteArrayOutputStream();
    line(jsonl, "{\"image\":\"good0.png\",\"caption\":\"a red circle\"}");
    line(jsonl, "{\"image\":\"trunc.jpg\",\"caption\":\"truncated\"}");
    line(jsonl, "{\"image\":\"good1.jpg\",\"caption\":\"a blue square\"}");
    line(jsonl, "{\"image\":\"zero.jpg\",\"caption\":\"zero bytes\"}");
    line(jsonl, "{\"image\":\"html.jpg\",\"caption\":\"not an image\"}");
    line(jsonl, "{\"image\":\"bomb.png\",\"caption\":\"a bomb\"}");
    jsonl.writeBytes("{\"image\":\"good3.png\",\"caption\":\"".getBytes(StandardCharsets.US_ASCII));
    jsonl.writeBytes(TestImages.invalidUtf8());
    line(jsonl, "\"}");
    line(jsonl, "{\"image\":\"missing.jpg\",\"caption\":\"no such file\"}");
    line(jsonl, "{\"image\":\"good4.png\",\"caption\":\"  \"}");
    line(jsonl, "{\"image\":\"good4.png\",\"caption\": oops}");
    line(jsonl, "{\"image\":\"good5.jpg\",\"caption\":\"a green star\"}");
    Path ann = Files.write(dir.resolve("ann.jsonl"), jsonl.toByteArray());

    BadSampleCounter bad = new BadSampleCounter();
    ReadOptions opts = ReadOptions.of(img, bad).withImageCheck(ImageCheck.DECODE);
    List<Sample> good;
    try (JsonlReader r = JsonlReader.open(ann, opts)) {
      good = r.stream().toList();
    }
    assertThat(good).extracting(Sample::key).containsExactly("good0.png#0", "good1.jpg#2", "good5.jpg#10");
    assertThat(good).extracting(Sample::caption).containsExactly("a red circle", "a blue square", "a green star");
    assertThat(good.get(0).image().readBytes()).isEqualTo(good0);
    assertThat(byKey(bad)).containsExactly(
        entry("trunc.jpg#1", BadReason.CORRUPT_IMAGE),
        entry("zero.jpg#3", BadReason.EMPTY_FILE),
        entry("html.jpg#4", BadReason.NOT_AN_IMAGE),
        entry("bomb.png#5", BadReason.DECOMPRESSION_BOMB),
        entry(ann + ":7", BadReason.INVALID_UTF8),
        entry("missing.jpg#7", BadReason.MISSING_IMAGE),
        entry("good4.png#8", BadReason.EMPTY_CAPTION),
        entry(ann + ":10", BadReason.MALFORMED_RECORD));
    assertThat(bad.total()).isEqualTo(8);
    assertThat(bad.summary()).startsWith("8 bad samples skipped: ").contains("DECOMPRESSION_BOMB=1");
  }

  @Test
  void csvFolderWithBadFilesIsReadToTheEnd(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("a.png"), TestImages.png(8, 8, 0));
    Files.write(dir.resolve("trunc.jpg"), TestImages.truncatedJpeg(1));
    Files.write(dir.resolve("bomb.png"), TestImages.pngHeader(20_000, 20_000));
    Files.write(dir.resolve("b.jpg"), TestImages.jpeg(16, 16, 2));
    ByteArrayOutputStream csv = new ByteArrayOutputStream();
    csv.writeBytes("image,caption\r\na.png,\"a, b\"\r\ntrunc.jpg,t\r\nbomb.png,x\r\nb.jpg,\"".getBytes(StandardCharsets.US_ASCII));
    csv.writeBytes(TestImages.invalidUtf8());
    csv.writeBytes("\"\r\nnope.jpg,n\r\nb.jpg,last\r\n".getBytes(StandardCharsets.US_ASCII));
    Path f = Files.write(dir.resolve("ann.csv"), csv.toByteArray());
    BadSampleCounter bad = new BadSampleCounter();
    try (CsvReader r = CsvReader.csv(f, ReadOptions.of(dir, bad).withImageCheck(ImageCheck.DECODE))) {
      assertThat(r.stream().map(Sample::key).toList()).containsExactly("a.png#0", "b.jpg#5");
    }
    assertThat(bad.counts()).containsExactly(
        entry(BadReason.MISSING_IMAGE, 1L), entry(BadReason.CORRUPT_IMAGE, 1L),
        entry(BadReason.DECOMPRESSION_BOMB, 1L), entry(BadReason.INVALID_UTF8, 1L));
  }

  @Test
  void shardsWithBadMembersAndATruncatedShardAreReadToTheEnd(@TempDir Path dir) throws IOException {
    byte[] png = TestImages.png(8, 8, 7);
    byte[] jpg = TestImages.jpeg(16, 16, 8);
    try (TarWriter t = new TarWriter(Files.newOutputStream(dir.resolve("00000.tar")))) {
      t.add("000000.png", png);
      t.add("000000.txt", utf8("good zero"));
      t.add("000001.jpg", TestImages.truncatedJpeg(9));
      t.add("000001.txt", utf8("truncated"));
      t.add("000002.jpg", new byte[0]);
      t.add("000002.txt", utf8("zero bytes"));
      t.add("000003.jpg", TestImages.notAnImage());
      t.add("000003.txt", utf8("html"));
      t.add("000004.png", TestImages.pngHeader(20_000, 20_000));
      t.add("000004.txt", utf8("bomb"));
      t.add("000005.png", png);
      t.add("000005.txt", TestImages.invalidUtf8());
      t.add("000006.txt", utf8("no image member"));
      t.add("000006.json", utf8("{\"key\":\"000006\"}"));
      t.add("000007.jpg", jpg);
      t.add("000007.txt", utf8(""));
      t.add("000008.jpg", jpg);
      t.add("000008.txt", utf8("bad json"));
      t.add("000008.json", utf8("{\"key\": "));
      t.add("000009.jpg", jpg);
      t.add("000009.txt", utf8("good nine"));
      t.add("000009.json", utf8("{\"key\":\"000009\",\"width\":16}"));
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (TarWriter t = new TarWriter(b)) {
      t.add("000010.png", png);
      t.add("000010.txt", utf8("good ten"));
      t.add("000011.jpg", jpg);
      t.add("000011.txt", utf8("good eleven"));
      t.add("000012.jpg", jpg);
      t.add("000012.txt", utf8("cut off"));
    }
    byte[] whole = b.toByteArray();
    // cut the shard in the middle of 000012.jpg's data (its header starts with the name)
    int cut = indexOf(whole, "000012.jpg".getBytes(StandardCharsets.US_ASCII)) + 512 + jpg.length / 2;
    Files.write(dir.resolve("00001.tar"), Arrays.copyOf(whole, cut));
    try (TarWriter t = new TarWriter(Files.newOutputStream(dir.resolve("00002.tar")))) {
      t.add("000013.jpg", jpg);
      t.add("000013.txt", utf8("good thirteen"));
    }

    BadSampleCounter bad = new BadSampleCounter();
    List<Sample> good;
    try (ShardReader r = ShardReader.openDirectory(dir, ReadOptions.of(dir, bad).withImageCheck(ImageCheck.DECODE))) {
      good = r.stream().toList();
    }
    assertThat(good).extracting(Sample::key).containsExactly("000000", "000009", "000010", "000011", "000013");
    assertThat(good).extracting(Sample::caption)
        .containsExactly("good zero", "good nine", "good ten", "good eleven", "good thirteen");
    assertThat(good.get(1).meta()).containsExactly(entry("key", "000009"), entry("width", 16));
    assertThat(good.get(3).image().readBytes()).isEqualTo(jpg);
    assertThat(byKey(bad)).containsExactly(
        entry("000001", BadReason.CORRUPT_IMAGE),
        entry("000002", BadReason.EMPTY_FILE),
        entry("000003", BadReason.NOT_AN_IMAGE),
        entry("000004", BadReason.DECOMPRESSION_BOMB),
        entry("000005", BadReason.INVALID_UTF8),
        entry("000006", BadReason.MISSING_IMAGE),
        entry("000007", BadReason.EMPTY_CAPTION),
        entry("000008", BadReason.MALFORMED_RECORD),
        entry(dir.resolve("00001.tar").toString(), BadReason.MALFORMED_RECORD));
    assertThat(bad.samples().get(8).detail()).contains("000012.jpg").contains("truncated");
  }

  @Test
  void presentCheckCatchesMissingAndEmptyFilesWithoutDecoding(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("zero.jpg"), new byte[0]);
    Files.write(dir.resolve("bomb.png"), TestImages.pngHeader(20_000, 20_000));
    Path f = Files.writeString(dir.resolve("a.jsonl"),
        "{\"image\":\"zero.jpg\",\"caption\":\"z\"}\n{\"image\":\"gone.jpg\",\"caption\":\"g\"}\n"
            + "{\"image\":\"bomb.png\",\"caption\":\"b\"}\n");
    BadSampleCounter bad = new BadSampleCounter();
    try (JsonlReader r = JsonlReader.open(f, ReadOptions.of(dir, bad))) {
      assertThat(r.stream().map(Sample::key).collect(Collectors.toList())).containsExactly("bomb.png#2");
    }
    assertThat(bad.counts()).containsExactly(entry(BadReason.MISSING_IMAGE, 1L), entry(BadReason.EMPTY_FILE, 1L));
  }

  @Test
  void nlvrPairWithAMissingSecondImageIsSkipped(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("a.png"), TestImages.png(8, 8, 1));
    Files.write(dir.resolve("b.png"), TestImages.png(8, 8, 2));
    Path f = Files.writeString(dir.resolve("nlvr.jsonl"),
        "{\"images\":[\"a.png\",\"gone.png\"],\"sentence\":\"s\",\"label\":\"True\"}\n"
            + "{\"images\":[\"a.png\",\"b.png\"],\"sentence\":\"t\",\"label\":\"False\"}\n");
    BadSampleCounter bad = new BadSampleCounter();
    try (JsonlReader r = JsonlReader.open(f, ReadOptions.of(dir, bad).withImageCheck(ImageCheck.DECODE))) {
      assertThat(r.stream().map(Sample::key).toList()).containsExactly("a.png#1");
    }
    assertThat(byKey(bad)).containsExactly(entry("a.png#0", BadReason.MISSING_IMAGE));
    assertThat(bad.samples().get(0).detail()).contains("gone.png");
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void line(OutputStream out, String s) throws IOException {
    out.write((s + "\n").getBytes(StandardCharsets.UTF_8));
  }
}
