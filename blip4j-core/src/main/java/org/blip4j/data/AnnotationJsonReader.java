package org.blip4j.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams a salesforce/BLIP annotation file: a JSON list of caption-train, caption-test, VQA or NLVR
 * records (see {@link Sample}), parsed one element at a time. A record with a missing or mistyped field
 * is skipped as {@link BadReason#MALFORMED_RECORD}; a JSON syntax error or invalid UTF-8 inside the list
 * makes the rest of the file unreadable, so it is reported once ({@code MALFORMED_RECORD} or
 * {@code INVALID_UTF8}, key {@code file@index}) and the stream ends — use JSONL where lines must be
 * independently recoverable.
 */
public final class AnnotationJsonReader extends SampleIterator {
  private final Path file;
  private final JsonParser parser;
  private long index;
  private boolean broken;

  private AnnotationJsonReader(Path file, ReadOptions options) throws IOException {
    super(options);
    this.file = file;
    this.parser = AnnotationRecords.MAPPER.getFactory().createParser(new BufferedInputStream(Files.newInputStream(file)));
    JsonToken first;
    try {
      first = parser.nextToken();
    } catch (JsonProcessingException e) {
      parser.close();
      throw new IllegalArgumentException(file + ": not a JSON annotation list (" + e.getOriginalMessage() + ")", e);
    }
    if (first != JsonToken.START_ARRAY) {
      parser.close();
      throw new IllegalArgumentException(file + ": expected a JSON list of annotation records, found " + first);
    }
  }

  /** Opens {@code file}; relative image paths resolve against {@code options.imageRoot()}. */
  public static AnnotationJsonReader open(Path file, ReadOptions options) throws IOException {
    return new AnnotationJsonReader(file, options);
  }

  @Override
  protected Sample readNext() throws IOException {
    while (!broken) {
      String where = file + "@" + index;
      JsonNode rec;
      try {
        JsonToken t = parser.nextToken();
        if (t == JsonToken.END_ARRAY || t == null) {
          return null;
        }
        rec = parser.readValueAsTree();
      } catch (CharConversionException e) {
        broken = true;
        bad(where, BadReason.INVALID_UTF8, where + ": invalid UTF-8, rest of file unreadable (" + e.getMessage() + ")");
        return null;
      } catch (JsonProcessingException e) {
        broken = true;
        boolean utf8 = String.valueOf(e.getOriginalMessage()).contains("UTF-8");
        bad(where, utf8 ? BadReason.INVALID_UTF8 : BadReason.MALFORMED_RECORD,
            where + ": " + e.getOriginalMessage() + " at " + e.getLocation() + "; rest of file unreadable");
        return null;
      }
      long i = index++;
      try {
        return AnnotationRecords.toSample(rec, i, options.imageRoot(), where);
      } catch (AnnotationRecords.MalformedRecord e) {
        bad(where, BadReason.MALFORMED_RECORD, e.getMessage());
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }
}
