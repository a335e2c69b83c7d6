package org.blip4j.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams JSON Lines holding the same records as {@link AnnotationJsonReader}, one object per line.
 * Each line is decoded as strict UTF-8 and parsed independently, so a bad line ({@code INVALID_UTF8} or
 * {@code MALFORMED_RECORD}, key {@code file:lineNumber}) is skipped and reading continues. Blank lines
 * are ignored. Keys use the 0-based index of the record among non-blank lines.
 */
public final class JsonlReader extends SampleIterator {
  private final Path file;
  private final InputStream in;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int limit;
  private long lineNo;
  private long index;

  private JsonlReader(Path file, ReadOptions options) throws IOException {
    super(options);
    this.file = file;
    this.in = Files.newInputStream(file);
  }

  /** Opens {@code file}; relative image paths resolve against {@code options.imageRoot()}. */
  public static JsonlReader open(Path file, ReadOptions options) throws IOException {
    return new JsonlReader(file, options);
  }

  /** Reads the next line's bytes (without the LF) into {@link #line}; false at end of file. */
  private boolean readLine() throws IOException {
    line.reset();
    boolean any = false;
    while (true) {
      if (pos == limit) {
        limit = in.read(buf, 0, buf.length);
        pos = 0;
        if (limit <= 0) {
          limit = 0;
          break;
        }
      }
      any = true;
      int start = pos;
      while (pos < limit && buf[pos] != '\n') {
        pos++;
      }
      line.write(buf, start, pos - start);
      if (pos < limit) {
        pos++; // the LF
        break;
      }
    }
    if (!any) {
      return false;
    }
    lineNo++;
    return true;
  }

  @Override
  protected Sample readNext() throws IOException {
    while (readLine()) {
      byte[] bytes = line.toByteArray();
      int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
      String where = file + ":" + lineNo;
      String text;
      try {
        text = Samples.decodeUtf8(bytes, 0, len);
      } catch (CharacterCodingException e) {
        index++;
        bad(where, BadReason.INVALID_UTF8, where + ": line is not valid UTF-8");
        continue;
      }
      if (text.isBlank()) {
        continue;
      }
      long i = index++;
      try {
        JsonNode rec = AnnotationRecords.MAPPER.readTree(text);
        return AnnotationRecords.toSample(rec, i, options.imageRoot(), where);
      } catch (JsonProcessingException e) {
        bad(where, BadReason.MALFORMED_RECORD, where + ": invalid JSON (" + e.getOriginalMessage() + ")");
      } catch (AnnotationRecords.MalformedRecord e) {
        bad(where, BadReason.MALFORMED_RECORD, e.getMessage());
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
