package org.blip4j.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes WebDataset / img2dataset shards {@code 00000.tar}, {@code 00001.tar}, … with at most
 * {@code maxSamplesPerShard} samples each. A sample becomes the members {@code key.EXT} (image bytes,
 * unchanged), {@code key.txt} (the caption, UTF-8, exactly) and, when its meta is not empty,
 * {@code key.json} (keys sorted). Output is deterministic: same samples in the same order → identical
 * bytes (see {@link TarWriter}). Not thread-safe.
 */
public final class ShardWriter implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private final Path dir;
  private final int maxSamplesPerShard;
  private final List<Path> written = new ArrayList<>();
  private TarWriter tar;
  private int inShard;
  private String lastKey;

  /** Creates {@code dir} if needed; shards are numbered from {@code 00000}. */
  public ShardWriter(Path dir, int maxSamplesPerShard) throws IOException {
    if (maxSamplesPerShard < 1) {
      throw new IllegalArgumentException("maxSamplesPerShard must be >= 1, got " + maxSamplesPerShard);
    }
    this.dir = Files.createDirectories(dir);
    this.maxSamplesPerShard = maxSamplesPerShard;
  }

  /**
   * Writes one sample.
   *
   * @param key WebDataset key: non-empty, no '.' in its file-name part, different from the previous key
   * @param imageExt image member extension, e.g. {@code jpg} or {@code png}
   * @param meta JSON-serialisable values; empty → no json member
   */
  public void write(String key, String imageExt, byte[] image, String caption, Map<String, Object> meta) throws IOException {
    int slash = key.lastIndexOf('/');
    if (key.isEmpty() || key.indexOf('.', slash + 1) >= 0 || key.endsWith("/")) {
      throw new IllegalArgumentException("shard key must be non-empty with no '.' in its file name: \"" + key + "\"");
    }
    if (key.equals(lastKey)) {
      throw new IllegalArgumentException("shard key \"" + key + "\" repeats the previous one; readers would merge them");
    }
    if (imageExt.isEmpty() || imageExt.contains(".") || imageExt.contains("/")) {
      throw new IllegalArgumentException("bad image extension \"" + imageExt + "\" for key " + key);
    }
    if (tar == null || inShard == maxSamplesPerShard) {
      startShard();
    }
    tar.add(key + "." + imageExt.toLowerCase(Locale.ROOT), image);
    tar.add(key + ".txt", caption.getBytes(StandardCharsets.UTF_8));
    if (!meta.isEmpty()) {
      tar.add(key + ".json", JSON.writeValueAsBytes(meta));
    }
    inShard++;
    lastKey = key;
  }

  /**
   * Writes a sample read from any source: its image bytes (extension from the member or file name,
   * {@code jpg} if none), its first caption and its meta.
   */
  public void write(Sample s) throws IOException {
    String name = s.image() instanceof ImageRef.Bytes b ? b.name() : ((ImageRef.File) s.image()).path().getFileName().toString();
    String ext = Samples.extension(name);
    write(s.key(), ext.isEmpty() ? "jpg" : ext, s.image().readBytes(), s.caption(), s.meta());
  }

  private void startShard() throws IOException {
    if (tar != null) {
      tar.close();
    }
    Path p = dir.resolve(String.format(Locale.ROOT, "%05d.tar", written.size()));
    tar = new TarWriter(new BufferedOutputStream(Files.newOutputStream(p), 1 << 16));
    written.add(p);
    inShard = 0;
  }

  /** The shards written so far, in order. */
  public List<Path> shards() {
    return List.copyOf(written);
  }

  @Override
  public void close() throws IOException {
    if (tar != null) {
      tar.close();
      tar = null;
    }
  }
}
