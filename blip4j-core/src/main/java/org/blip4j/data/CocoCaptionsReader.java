package org.blip4j.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads COCO captions ({@code annotations/captions_train2014.json}: {@code images} with {@code id} and
 * {@code file_name}, {@code annotations} with {@code id}, {@code image_id} and {@code caption}), joined
 * by image id. Image paths resolve against {@link ReadOptions#imageRoot()} (e.g. {@code train2014/}).
 *
 * <p>{@link #perCaption}: one sample per annotation (key = annotation id, {@code meta.image_id}), in
 * annotation order; the image table is held in memory, annotations are streamed when {@code images}
 * precedes them in the file (as in the official files), else buffered. {@link #perImage}: one sample
 * per image with all its captions in annotation order (key = image id), in {@code images} order; holds
 * all captions in memory. Annotations naming an unknown image or lacking a string caption are
 * {@code MALFORMED_RECORD}.
 */
public final class CocoCaptionsReader extends SampleIterator {
  private final Path file;
  private final JsonParser parser;
  private final boolean groupByImage;
  private final Map<Long, String> images = new HashMap<>();
  private final List<Long> imageOrder = new ArrayList<>();
  private final Deque<JsonNode> buffered = new ArrayDeque<>();
  private final Map<Long, List<String>> captionsByImage = new LinkedHashMap<>();
  private boolean imagesSeen;
  private boolean inAnnotations;
  private boolean topDone;
  private Iterator<Long> grouped;
  private long annIndex;

  private CocoCaptionsReader(Path file, boolean groupByImage, ReadOptions options) throws IOException {
    super(options);
    this.file = file;
    this.groupByImage = groupByImage;
    this.parser = AnnotationRecords.MAPPER.getFactory().createParser(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      parser.close();
      throw new IllegalArgumentException(file + ": expected a COCO captions object with \"images\" and \"annotations\"");
    }
  }

  /** One sample per caption annotation. */
  public static CocoCaptionsReader perCaption(Path file, ReadOptions options) throws IOException {
    return new CocoCaptionsReader(file, false, options);
  }

  /** One sample per image holding all its captions. */
  public static CocoCaptionsReader perImage(Path file, ReadOptions options) throws IOException {
    return new CocoCaptionsReader(file, true, options);
  }

  @Override
  protected Sample readNext() throws IOException {
    while (true) {
      if (grouped != null) {
        return nextGrouped();
      }
      if (!groupByImage && imagesSeen && !buffered.isEmpty()) {
        Sample s = annotation(buffered.poll());
        if (s != null) {
          return s;
        }
        continue;
      }
      if (inAnnotations) {
        JsonToken t = parser.nextToken();
        if (t == JsonToken.END_ARRAY) {
          inAnnotations = false;
          continue;
        }
        JsonNode ann = parser.readValueAsTree();
        if (!groupByImage && imagesSeen) {
          Sample s = annotation(ann);
          if (s != null) {
            return s;
          }
        } else {
          buffered.add(ann);
        }
        continue;
      }
      if (topDone) {
        if (!imagesSeen) {
          throw new IllegalArgumentException(file + ": no \"images\" list; cannot join annotations to files");
        }
        if (groupByImage) {
          while (!buffered.isEmpty()) {
            JsonNode ann = buffered.poll();
            Object[] a = checkAnnotation(ann);
            if (a != null) {
              captionsByImage.computeIfAbsent((Long) a[1], k -> new ArrayList<>()).add((String) a[2]);
            }
          }
          grouped = imageOrder.iterator();
          continue;
        }
        return null;
      }
      JsonToken t = parser.nextToken();
      if (t == JsonToken.END_OBJECT || t == null) {
        topDone = true;
        continue;
      }
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if ("images".equals(field) && value == JsonToken.START_ARRAY) {
        while (parser.nextToken() == JsonToken.START_OBJECT) {
          JsonNode img = parser.readValueAsTree();
          JsonNode id = img.get("id");
          JsonNode name = img.get("file_name");
          if (id == null || !id.canConvertToLong() || name == null || !name.isTextual()) {
            bad(file + ":images", BadReason.MALFORMED_RECORD, file + ": image entry without numeric id and file_name: " + img);
            continue;
          }
          if (images.put(id.asLong(), name.asText()) == null) {
            imageOrder.add(id.asLong());
          }
        }
        imagesSeen = true;
      } else if ("annotations".equals(field) && value == JsonToken.START_ARRAY) {
        inAnnotations = true;
      } else {
        parser.skipChildren();
      }
    }
  }

  /** [annotation id, image id, caption] or null after reporting. */
  private Object[] checkAnnotation(JsonNode ann) {
    long i = annIndex++;
    JsonNode id = ann.get("id");
    String key = id != null && id.canConvertToLong() ? id.asText() : file + ":annotations[" + i + "]";
    JsonNode imageId = ann.get("image_id");
    JsonNode caption = ann.get("caption");
    if (imageId == null || !imageId.canConvertToLong() || caption == null || !caption.isTextual()) {
      bad(key, BadReason.MALFORMED_RECORD, file + ": annotation " + key + " lacks a numeric image_id or a string caption");
      return null;
    }
    if (!images.containsKey(imageId.asLong())) {
      bad(key, BadReason.MALFORMED_RECORD, file + ": annotation " + key + " names unknown image_id " + imageId.asLong());
      return null;
    }
    return new Object[] {key, imageId.asLong(), caption.asText()};
  }

  private Sample annotation(JsonNode ann) {
    Object[] a = checkAnnotation(ann);
    if (a == null) {
      return null;
    }
    long imageId = (Long) a[1];
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("image_id", imageId);
    return new Sample((String) a[0], new ImageRef.File(options.imageRoot().resolve(images.get(imageId))), List.of((String) a[2]), meta);
  }

  private Sample nextGrouped() {
    if (!grouped.hasNext()) {
      return null;
    }
    long imageId = grouped.next();
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("image_id", imageId);
    List<String> caps = captionsByImage.getOrDefault(imageId, List.of());
    return new Sample(Long.toString(imageId), new ImageRef.File(options.imageRoot().resolve(images.get(imageId))), caps, meta);
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }

}
