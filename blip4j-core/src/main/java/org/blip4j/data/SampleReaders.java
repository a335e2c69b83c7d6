package org.blip4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Opens the right reader for a path, by its extension (and, for {@code .json}, its first character). */
public final class SampleReaders {
  private SampleReaders() {}

  /**
   * Opens {@code path}:
   *
   * <ul>
   *   <li>a directory → its {@code *.tar} shards in name order ({@link ShardReader});
   *   <li>{@code .tar} → that shard;
   *   <li>{@code .jsonl} → {@link JsonlReader};
   *   <li>{@code .json} → {@link AnnotationJsonReader} if it starts with '[', COCO captions
   *       ({@link CocoCaptionsReader#perCaption}) if it starts with '{';
   *   <li>{@code .csv} / {@code .tsv} → {@link CsvReader}.
   * </ul>
   */
  public static SampleIterator open(Path path, ReadOptions options) throws IOException {
    if (Files.isDirectory(path)) {
      return ShardReader.openDirectory(path, options);
    }
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("dataset file not found: " + path);
    }
    String ext = Samples.extension(path.getFileName().toString());
    return switch (ext.toLowerCase(Locale.ROOT)) {
      case "tar" -> ShardReader.open(List.of(path), options);
      case "jsonl" -> JsonlReader.open(path, options);
      case "csv" -> CsvReader.csv(path, options);
      case "tsv" -> CsvReader.tsv(path, options);
      case "json" -> firstChar(path) == '{' ? CocoCaptionsReader.perCaption(path, options)
          : AnnotationJsonReader.open(path, options);
      default -> throw new IllegalArgumentException("unknown dataset format for " + path
          + " (expected a shard directory, .tar, .json, .jsonl, .csv or .tsv)");
    };
  }

  private static int firstChar(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      int c;
      do {
        c = in.read();
      } while (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xEF || c == 0xBB || c == 0xBF);
      return c;
    }
  }
}
