package org.blip4j.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams WebDataset / img2dataset tar shards: consecutive members sharing a key ({@code dir/000001}
 * from {@code dir/000001.jpg}, i.e. the path up to the first dot of its file name) form one sample.
 * The image is the {@code jpg|jpeg|png|webp|bmp|gif} member, the caption the {@code txt} member
 * (strict UTF-8, kept exactly; else a {@code "caption"} string in the json), {@code meta} the parsed
 * {@code json} member. Other members are ignored. Only one shard is open at a time and only one
 * sample's members are held in memory.
 *
 * <p>Bad samples: no image member ({@code MISSING_IMAGE}), invalid UTF-8 text ({@code INVALID_UTF8}),
 * unparsable json ({@code MALFORMED_RECORD}), plus the image checks of the {@link ReadOptions}. A
 * truncated or corrupt shard is reported once as {@code MALFORMED_RECORD} (key = shard path) and
 * reading goes on with the next shard.
 */
public final class ShardReader extends SampleIterator {
  private static final Logger LOG = LoggerFactory.getLogger(ShardReader.class);
  private static final Set<String> IMAGE_EXTS = Set.of("jpg", "jpeg", "png", "webp", "bmp", "gif");
  /** Members over 256 MiB are refused as corrupt (no caption or image is that large). */
  public static final long MAX_MEMBER_BYTES = 256L << 20;

  private final List<Path> shards;
  private int shardIndex;
  private TarReader tar;
  private Path current;
  private TarReader.Entry pending;
  private boolean shardEnded = true;

  private ShardReader(List<Path> shards, ReadOptions options) {
    super(options);
    this.shards = List.copyOf(shards);
  }

  /** Reads the given shards in order. */
  public static ShardReader open(List<Path> shards, ReadOptions options) {
    return new ShardReader(shards, options);
  }

  /** Reads every {@code *.tar} directly in {@code dir}, sorted by file name. */
  public static ShardReader openDirectory(Path dir, ReadOptions options) throws IOException {
    return new ShardReader(listShards(dir), options);
  }

  /** The {@code *.tar} files directly in {@code dir}, sorted by name. */
  public static List<Path> listShards(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("shard directory not found: " + dir);
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tar") && Files.isRegularFile(p)).sorted().toList();
    }
  }

  /** The WebDataset key of a member name: the path up to the first dot of the file name. */
  static String keyOf(String name) {
    int slash = name.lastIndexOf('/');
    int dot = name.indexOf('.', slash + 1);
    return dot < 0 ? name : name.substring(0, dot);
  }

  private static String suffixOf(String name) {
    int slash = name.lastIndexOf('/');
    int dot = name.indexOf('.', slash + 1);
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /** The next member of the current shard, opening the next shard as needed; null when all are read. */
  private TarReader.Entry nextEntry() throws IOException {
    while (true) {
      if (shardEnded) {
        if (tar != null) {
          tar.close();
          tar = null;
        }
        if (shardIndex >= shards.size()) {
          return null;
        }
        current = shards.get(shardIndex++);
        try {
          tar = new TarReader(new BufferedInputStream(Files.newInputStream(current), 1 << 16), current.toString(), MAX_MEMBER_BYTES);
        } catch (IOException e) {
          bad(current.toString(), BadReason.MALFORMED_RECORD, "cannot open shard " + current + ": " + e);
          continue;
        }
        shardEnded = false;
        LOG.debug("reading shard {}", current);
      }
      TarReader.Entry e;
      try {
        e = tar.next();
      } catch (TarFormatException ex) {
        bad(current.toString(), BadReason.MALFORMED_RECORD, ex.getMessage() + "; skipping the rest of this shard");
        e = null;
      }
      if (e != null) {
        return e;
      }
      shardEnded = true;
      return new TarReader.Entry("", null); // shard boundary: flushes the group
    }
  }

  @Override
  protected Sample readNext() throws IOException {
    while (true) {
      TarReader.Entry first = pending != null ? pending : nextEntry();
      pending = null;
      if (first == null) {
        return null;
      }
      if (first.data() == null) {
        continue; // boundary with nothing pending
      }
      String key = keyOf(first.name());
      Path shard = current;
      Map<String, TarReader.Entry> members = new LinkedHashMap<>();
      members.put(suffixOf(first.name()), first);
      while (true) {
        TarReader.Entry e = nextEntry();
        if (e == null || e.data() == null) {
          break;
        }
        if (!keyOf(e.name()).equals(key)) {
          pending = e;
          break;
        }
        members.putIfAbsent(suffixOf(e.name()), e);
      }
      Sample s = build(key, shard, members);
      if (s != null) {
        return s;
      }
    }
  }

  private Sample build(String key, Path shard, Map<String, TarReader.Entry> members) {
    String where = shard + ":" + key;
    TarReader.Entry image = null;
    for (Map.Entry<String, TarReader.Entry> m : members.entrySet()) {
      if (IMAGE_EXTS.contains(m.getKey())) {
        image = m.getValue();
        break;
      }
    }
    if (image == null) {
      bad(key, BadReason.MISSING_IMAGE, where + ": no image member (" + String.join(", ", IMAGE_EXTS) + ") among "
          + members.keySet());
      return null;
    }
    Map<String, Object> meta = new LinkedHashMap<>();
    TarReader.Entry json = members.get("json");
    if (json != null) {
      try {
        String text = Samples.decodeUtf8(json.data());
        meta = AnnotationRecords.MAPPER.readValue(text, new TypeReference<LinkedHashMap<String, Object>>() {});
      } catch (CharacterCodingException e) {
        bad(key, BadReason.INVALID_UTF8, where + ".json is not valid UTF-8");
        return null;
      } catch (JsonProcessingException e) {
        bad(key, BadReason.MALFORMED_RECORD, where + ".json is not a JSON object (" + e.getOriginalMessage() + ")");
        return null;
      }
    }
    List<String> captions = new ArrayList<>();
    TarReader.Entry txt = members.get("txt");
    if (txt != null) {
      try {
        captions.add(Samples.decodeUtf8(txt.data()));
      } catch (CharacterCodingException e) {
        bad(key, BadReason.INVALID_UTF8, where + ".txt is not valid UTF-8");
        return null;
      }
    } else if (meta.get("caption") instanceof String c) {
      captions.add(c);
    }
    ImageRef ref = new ImageRef.Bytes(image.name(), image.data(), shard + ":" + image.name());
    return new Sample(key, ref, captions, meta);
  }

  @Override
  public void close() throws IOException {
    shardIndex = shards.size();
    if (tar != null) {
      tar.close();
      tar = null;
    }
  }
}
