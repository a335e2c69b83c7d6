package org.blip4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips for the salesforce/BLIP annotation JSON lists, JSONL and COCO captions. */
class AnnotationReadersTest {
  private static final ObjectMapper M = new ObjectMapper();

  private static Map<String, Object> rec(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static List<Sample> readJson(Path f, Path root, BadSampleCounter bad) throws IOException {
    try (AnnotationJsonReader r = AnnotationJsonReader.open(f, new ReadOptions(root, ImageCheck.NONE,
        new org.blip4j.image.ImageDecoder(), bad))) {
      return r.stream().toList();
    }
  }

  @Test
  void trainAndTestCaptionListsRoundTrip(@TempDir Path dir) throws IOException {
    Path train = dir.resolve("train.json");
    M.writeValue(train.toFile(), List.of(
        rec("image", "a/1.png", "caption", "a small red circle", "image_id", "h_1"),
        rec("image", "a/2.png", "caption", "two blue squares \u00e9\u4e2d", "noise", "clean_web")));
    BadSampleCounter bad = new BadSampleCounter();
    List<Sample> s = readJson(train, dir, bad);
    assertThat(s).containsExactly(
        new Sample("a/1.png#0", new ImageRef.File(dir.resolve("a/1.png")), List.of("a small red circle"), Map.of("image_id", "h_1")),
        new Sample("a/2.png#1", new ImageRef.File(dir.resolve("a/2.png")), List.of("two blue squares \u00e9\u4e2d"),
            Map.of("noise", "clean_web")));

    Path test = dir.resolve("test.json");
    M.writeValue(test.toFile(), List.of(rec("image", "t/1.png", "caption", List.of("one", "two", "three"))));
    assertThat(readJson(test, dir, bad)).singleElement()
        .satisfies(x -> assertThat(x.captions()).containsExactly("one", "two", "three"));
    assertThat(bad.total()).isZero();
  }

  @Test
  void vqaAndNlvrRecordsRoundTrip(@TempDir Path dir) throws IOException {
    Path vqa = dir.resolve("vqa.json");
    M.writeValue(vqa.toFile(), List.of(
        rec("question_id", 17, "image", "v/1.png", "question", "what color is the circle?", "answer", List.of("red", "red")),
        rec("question_id", 18, "image", "v/2.png", "question", "how many stars?")));
    BadSampleCounter bad = new BadSampleCounter();
    List<Sample> s = readJson(vqa, dir, bad);
    assertThat(s).extracting(Sample::key).containsExactly("17", "18");
    assertThat(s.get(0).captions()).containsExactly("what color is the circle?");
    assertThat(s.get(0).meta()).containsEntry("answer", List.of("red", "red")).containsEntry("question_id", 17);
    assertThat(s.get(1).meta()).containsEntry("answer", List.of());
    assertThat(s.get(1).image()).isEqualTo(new ImageRef.File(dir.resolve("v/2.png")));

    Path nlvr = dir.resolve("nlvr.json");
    M.writeValue(nlvr.toFile(), List.of(
        rec("images", List.of("n/a.png", "n/b.png"), "sentence", "both images contain a blue square", "label", "True"),
        rec("images", List.of("n/c.png", "n/d.png"), "sentence", "there is a star", "label", "False")));
    List<Sample> n = readJson(nlvr, dir, bad);
    assertThat(n).extracting(Sample::key).containsExactly("n/a.png#0", "n/c.png#1");
    assertThat(n.get(0).meta()).containsEntry("label", true)
        .containsEntry("images", List.of(new ImageRef.File(dir.resolve("n/a.png")), new ImageRef.File(dir.resolve("n/b.png"))));
    assertThat(n.get(1).meta()).containsEntry("label", false);
    assertThat(n.get(1).caption()).isEqualTo("there is a star");
    assertThat(bad.total()).isZero();
  }

  @Test
  void malformedRecordsAreSkippedAndASyntaxErrorEndsTheList(@TempDir Path dir) throws IOException {
    Path f = Files.writeString(dir.resolve("x.json"),
        "[{\"image\":\"a.png\",\"caption\":\"ok\"}, {\"caption\":\"no image\"}, {\"image\":\"b.png\",\"caption\":3},"
            + " {\"image\":\"c.png\",\"caption\":\"ok too\"}, {\"image\": }, {\"image\":\"d.png\",\"caption\":\"lost\"}]");
    BadSampleCounter bad = new BadSampleCounter();
    assertThat(readJson(f, dir, bad)).extracting(Sample::key).containsExactly("a.png#0", "c.png#3");
    assertThat(bad.samples()).extracting(BadSampleCounter.BadSample::key).containsExactly(f + "@1", f + "@2", f + "@4");
    assertThat(bad.counts()).containsExactly(entry(BadReason.MALFORMED_RECORD, 3L));

    // invalid UTF-8 inside a JSON list: reported once, the records before it are kept
    byte[] head = "[{\"image\":\"a.png\",\"caption\":\"ok\"}, {\"image\":\"b.png\",\"caption\":\"".getBytes(
        java.nio.charset.StandardCharsets.US_ASCII);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    bytes.writeBytes(head);
    bytes.writeBytes(TestImages.invalidUtf8());
    bytes.writeBytes("\"}]".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    Path u = Files.write(dir.resolve("u.json"), bytes.toByteArray());
    BadSampleCounter badUtf8 = new BadSampleCounter();
    assertThat(readJson(u, dir, badUtf8)).extracting(Sample::key).containsExactly("a.png#0");
    assertThat(badUtf8.counts()).containsExactly(entry(BadReason.INVALID_UTF8, 1L));

    Path notList = Files.writeString(dir.resolve("obj.json"), "{\"image\":\"a.png\"}");
    assertThatThrownBy(() -> readJson(notList, dir, bad)).hasMessageContaining(notList.toString())
        .hasMessageContaining("expected a JSON list");
  }

  @Test
  void sampleReadersPicksTheReaderByExtension(@TempDir Path dir) throws IOException {
    M.writeValue(dir.resolve("l.json").toFile(), List.of(rec("image", "1.png", "caption", "list")));
    M.writeValue(dir.resolve("c.json").toFile(), rec("images", List.of(rec("id", 1, "file_name", "1.png")),
        "annotations", List.of(rec("id", 5, "image_id", 1, "caption", "coco"))));
    Files.writeString(dir.resolve("j.jsonl"), "{\"image\":\"1.png\",\"caption\":\"jsonl\"}\n");
    Files.writeString(dir.resolve("c.csv"), "image,caption\n1.png,csv\n");
    Files.writeString(dir.resolve("t.tsv"), "image\tcaption\n1.png\ttsv\n");
    try (ShardWriter w = new ShardWriter(dir.resolve("shards"), 5)) {
      w.write("k", "png", new byte[] {1}, "tar", Map.of());
    }
    ReadOptions o = new ReadOptions(dir, ImageCheck.NONE, new org.blip4j.image.ImageDecoder(), new BadSampleCounter());
    List<String> got = new ArrayList<>();
    for (String name : List.of("l.json", "c.json", "j.jsonl", "c.csv", "t.tsv", "shards", "shards/00000.tar")) {
      try (SampleIterator r = SampleReaders.open(dir.resolve(name), o)) {
        got.add(r.next().caption());
      }
    }
    assertThat(got).containsExactly("list", "coco", "jsonl", "csv", "tsv", "tar", "tar");
    assertThatThrownBy(() -> SampleReaders.open(dir.resolve("nope.json"), o)).hasMessageContaining("nope.json");
  }

  @Test
  void jsonlStreamsManyLinesAcrossBufferBoundaries(@TempDir Path dir) throws IOException {
    StringBuilder sb = new StringBuilder();
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      sb.append("{\"image\":\"").append(i).append(".png\",\"caption\":\"caption number ").append(i)
          .append(i % 7 == 0 ? " \u00e9\u4e2d" : "").append("\"}\n");
    }
    Path f = Files.writeString(dir.resolve("big.jsonl"), sb.toString());
    BadSampleCounter bad = new BadSampleCounter();
    try (JsonlReader r = JsonlReader.open(f, new ReadOptions(dir, ImageCheck.NONE, new org.blip4j.image.ImageDecoder(), bad))) {
      int[] i = {0};
      r.forEachRemaining(s -> {
        assertThat(s.caption()).isEqualTo("caption number " + i[0] + (i[0] % 7 == 0 ? " \u00e9\u4e2d" : ""));
        i[0]++;
      });
      assertThat(i[0]).isEqualTo(n);
    }
    assertThat(bad.total()).isZero();
  }

  @Test
  void jsonlRoundTripsTheSameRecords(@TempDir Path dir) throws IOException {
    List<Map<String, Object>> recs = List.of(
        rec("image", "1.png", "caption", "a \"quoted\" caption"),
        rec("question_id", 5, "image", "2.png", "question", "is there a star?", "answer", List.of("yes")),
        rec("images", List.of("3.png", "4.png"), "sentence", "s", "label", "True"));
    StringBuilder sb = new StringBuilder();
    for (Map<String, Object> r : recs) {
      sb.append(M.writeValueAsString(r)).append("\r\n\n");
    }
    Path f = Files.writeString(dir.resolve("a.jsonl"), sb.toString());
    BadSampleCounter bad = new BadSampleCounter();
    List<Sample> s;
    try (JsonlReader r = JsonlReader.open(f, new ReadOptions(dir, ImageCheck.NONE, new org.blip4j.image.ImageDecoder(), bad))) {
      s = r.stream().toList();
    }
    assertThat(s).extracting(Sample::key).containsExactly("1.png#0", "5", "3.png#2");
    assertThat(s).extracting(Sample::caption).containsExactly("a \"quoted\" caption", "is there a star?", "s");
    assertThat(bad.total()).isZero();
  }

  @Test
  void cocoCaptionsJoinImagesAndAnnotations(@TempDir Path dir) throws IOException {
    Map<String, Object> coco = rec(
        "info", rec("year", 2014),
        "images", List.of(rec("id", 9, "file_name", "COCO_9.jpg", "width", 640), rec("id", 3, "file_name", "COCO_3.jpg")),
        "licenses", List.of(),
        "annotations", List.of(
            rec("image_id", 3, "id", 100, "caption", "a cat."),
            rec("image_id", 9, "id", 101, "caption", "a dog."),
            rec("image_id", 77, "id", 102, "caption", "orphan"),
            rec("image_id", 3, "id", 103, "caption", "a cat on a mat.")));
    Path f = dir.resolve("captions_val2014.json");
    M.writeValue(f.toFile(), coco);
    BadSampleCounter bad = new BadSampleCounter();
    ReadOptions o = new ReadOptions(dir.resolve("val2014"), ImageCheck.NONE, new org.blip4j.image.ImageDecoder(), bad);
    List<Sample> per;
    try (CocoCaptionsReader r = CocoCaptionsReader.perCaption(f, o)) {
      per = r.stream().toList();
    }
    assertThat(per).containsExactly(
        new Sample("100", new ImageRef.File(dir.resolve("val2014/COCO_3.jpg")), List.of("a cat."), Map.of("image_id", 3L)),
        new Sample("101", new ImageRef.File(dir.resolve("val2014/COCO_9.jpg")), List.of("a dog."), Map.of("image_id", 9L)),
        new Sample("103", new ImageRef.File(dir.resolve("val2014/COCO_3.jpg")), List.of("a cat on a mat."), Map.of("image_id", 3L)));
    assertThat(bad.samples()).extracting(BadSampleCounter.BadSample::key).containsExactly("102");

    // annotations before images (buffered), grouped per image in images order
    Map<String, Object> reordered = rec("annotations", coco.get("annotations"), "images", coco.get("images"));
    Path g = dir.resolve("captions_reordered.json");
    M.writeValue(g.toFile(), reordered);
    List<Sample> perCaption = new ArrayList<>();
    try (CocoCaptionsReader r = CocoCaptionsReader.perCaption(g, o)) {
      r.forEachRemaining(perCaption::add);
    }
    assertThat(perCaption).isEqualTo(per);
    try (CocoCaptionsReader r = CocoCaptionsReader.perImage(g, o)) {
      List<Sample> grouped = r.stream().toList();
      assertThat(grouped).extracting(Sample::key).containsExactly("9", "3");
      assertThat(grouped.get(1).captions()).containsExactly("a cat.", "a cat on a mat.");
      assertThat(grouped.get(0).image()).isEqualTo(new ImageRef.File(dir.resolve("val2014/COCO_9.jpg")));
    }
    assertThat(bad.count(BadReason.MALFORMED_RECORD)).isEqualTo(3);
  }
}
