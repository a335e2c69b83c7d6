package org.blip4j.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Streams a CSV or TSV file with a header row naming an image column ({@code image}, {@code filepath}
 * or {@code path}) and a caption column ({@code caption} or {@code text}); an optional {@code key} column
 * gives the sample key (otherwise {@code image#rowIndex}), other columns go to {@code meta} as strings.
 *
 * <p>Quoting follows RFC 4180 for both delimiters: a field in double quotes may hold the delimiter, CR/LF
 * and {@code ""} for a quote; records end with LF or CRLF. Records are split at the byte level (all
 * syntax characters are ASCII) and each field is then decoded as strict UTF-8, so a field with invalid
 * UTF-8 skips only its record ({@code INVALID_UTF8}). A record with the wrong number of fields or stray
 * characters after a closing quote is {@code MALFORMED_RECORD}.
 */
public final class CsvReader extends SampleIterator {
  private final Path file;
  private final InputStream in;
  private final byte delimiter;
  private final List<String> header;
  private final int imageCol;
  private final int captionCol;
  private final int keyCol;
  private long line = 1; // line number where the current record starts
  private long index;
  private int pushback = -2;

  private CsvReader(Path file, char delimiter, ReadOptions options) throws IOException {
    super(options);
    if (delimiter > 0x7F || delimiter == '"' || delimiter == '\r' || delimiter == '\n') {
      throw new IllegalArgumentException("delimiter must be an ASCII character other than quote/CR/LF, got " + delimiter);
    }
    this.file = file;
    this.delimiter = (byte) delimiter;
    this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    skipBom();
    List<byte[]> raw = new ArrayList<>();
    RecordStatus st = readRecord(raw);
    if (st == RecordStatus.EOF) {
      in.close();
      throw new IllegalArgumentException(file + ": empty file, expected a header row with image and caption columns");
    }
    List<String> h = new ArrayList<>();
    for (byte[] f : raw) {
      try {
        h.add(Samples.decodeUtf8(f).trim().toLowerCase(Locale.ROOT));
      } catch (CharacterCodingException e) {
        in.close();
        throw new IllegalArgumentException(file + ": header row is not valid UTF-8", e);
      }
    }
    this.header = h;
    this.imageCol = column(h, "image", "filepath", "path");
    this.captionCol = column(h, "caption", "text");
    this.keyCol = column(h, "key");
    if (imageCol < 0 || captionCol < 0) {
      in.close();
      throw new IllegalArgumentException(file + ": header " + h
          + " must name an image column (image|filepath|path) and a caption column (caption|text)");
    }
  }

  /** Opens a comma-separated file. */
  public static CsvReader csv(Path file, ReadOptions options) throws IOException {
    return new CsvReader(file, ',', options);
  }

  /** Opens a tab-separated file. */
  public static CsvReader tsv(Path file, ReadOptions options) throws IOException {
    return new CsvReader(file, '\t', options);
  }

  /** Opens a file with the given single-character ASCII delimiter. */
  public static CsvReader open(Path file, char delimiter, ReadOptions options) throws IOException {
    return new CsvReader(file, delimiter, options);
  }

  private static int column(List<String> header, String... names) {
    for (String n : names) {
      int i = header.indexOf(n);
      if (i >= 0) {
        return i;
      }
    }
    return -1;
  }

  private void skipBom() throws IOException {
    in.mark(3);
    if (!(in.read() == 0xEF && in.read() == 0xBB && in.read() == 0xBF)) {
      in.reset();
    }
  }

  private int read() throws IOException {
    if (pushback != -2) {
      int b = pushback;
      pushback = -2;
      return b;
    }
    return in.read();
  }

  private enum RecordStatus { OK, EOF, MALFORMED }

  /** Reads one record's raw fields; line counting for error labels. */
  private RecordStatus readRecord(List<byte[]> fields) throws IOException {
    fields.clear();
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    int b = read();
    if (b == -1) {
      return RecordStatus.EOF;
    }
    boolean malformed = false;
    while (true) {
      // start of a field
      if (b == '"') {
        while (true) { // quoted field
          b = read();
          if (b == -1) {
            fields.add(f.toByteArray());
            return RecordStatus.MALFORMED; // unterminated quote
          } else if (b == '"') {
            int c = read();
            if (c == '"') {
              f.write('"');
            } else {
              b = c;
              break;
            }
          } else {
            if (b == '\n') {
              line++;
            }
            f.write(b);
          }
        }
        // after the closing quote: delimiter, end of record, or stray characters
        while (b != -1 && b != delimiter && b != '\n' && !(b == '\r' && peekLf())) {
          malformed = true;
          b = read();
        }
      } else {
        while (b != -1 && b != delimiter && b != '\n' && !(b == '\r' && peekLf())) {
          f.write(b);
          b = read();
        }
      }
      fields.add(f.toByteArray());
      f.reset();
      if (b == delimiter) {
        b = read();
        if (b == -1 || b == '\n' || (b == '\r' && peekLf())) {
          fields.add(new byte[0]); // trailing empty field
        } else {
          continue;
        }
      }
      if (b == '\r') {
        read(); // the LF
      }
      if (b != -1) {
        line++;
      }
      return malformed ? RecordStatus.MALFORMED : RecordStatus.OK;
    }
  }

  private boolean peekLf() throws IOException {
    int c = read();
    pushback = c;
    return c == '\n';
  }

  @Override
  protected Sample readNext() throws IOException {
    List<byte[]> raw = new ArrayList<>();
    while (true) {
      long startLine = line;
      RecordStatus st = readRecord(raw);
      if (st == RecordStatus.EOF) {
        return null;
      }
      if (raw.size() == 1 && raw.get(0).length == 0 && st == RecordStatus.OK) {
        continue; // blank line
      }
      String where = file + ":" + startLine;
      long i = index++;
      if (st == RecordStatus.MALFORMED) {
        bad(where, BadReason.MALFORMED_RECORD, where + ": unterminated quote or characters after a closing quote");
        continue;
      }
      if (raw.size() != header.size()) {
        bad(where, BadReason.MALFORMED_RECORD, where + ": " + raw.size() + " fields, header has " + header.size());
        continue;
      }
      List<String> values = new ArrayList<>(raw.size());
      String badColumn = null;
      for (int c = 0; c < raw.size(); c++) {
        try {
          values.add(Samples.decodeUtf8(raw.get(c)));
        } catch (CharacterCodingException e) {
          badColumn = header.get(c);
          break;
        }
      }
      if (badColumn != null) {
        bad(where, BadReason.INVALID_UTF8, where + ": column \"" + badColumn + "\" is not valid UTF-8");
        continue;
      }
      String image = values.get(imageCol);
      if (image.isEmpty()) {
        bad(where, BadReason.MALFORMED_RECORD, where + ": empty image column");
        continue;
      }
      Map<String, Object> meta = new LinkedHashMap<>();
      for (int c = 0; c < values.size(); c++) {
        if (c != imageCol && c != captionCol && c != keyCol) {
          meta.put(header.get(c), values.get(c));
        }
      }
      String key = keyCol >= 0 && !values.get(keyCol).isEmpty() ? values.get(keyCol) : image + "#" + i;
      return new Sample(key, new ImageRef.File(options.imageRoot().resolve(image)), List.of(values.get(captionCol)), meta);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
