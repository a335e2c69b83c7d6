package org.blip4j.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A small streaming reader for POSIX ustar archives (also GNU tar and Python {@code tarfile} output):
 * regular-file members are returned one at a time with their contents; directories, links and other
 * special members are skipped; PAX extended headers ({@code path}, {@code size}) and GNU long names
 * ({@code L}) are applied to the next member; checksums are verified. Sizes may be octal or GNU
 * base-256. Not thread-safe.
 */
public final class TarReader implements Closeable {
  private static final int BLOCK = 512;

  /** One regular-file member. */
  public record Entry(String name, byte[] data) {}

  private final InputStream in;
  private final String label;
  private final long maxEntryBytes;
  private final byte[] header = new byte[BLOCK];
  private long offset;
  private boolean ended;

  /**
   * @param in the archive (closed by {@link #close()})
   * @param label names the archive in errors
   * @param maxEntryBytes members larger than this are refused (guards memory)
   */
  public TarReader(InputStream in, String label, long maxEntryBytes) {
    this.in = in;
    this.label = label;
    this.maxEntryBytes = maxEntryBytes;
  }

  /** The next regular-file member, or {@code null} at the end of the archive. */
  public Entry next() throws IOException {
    String longName = null;
    Long paxSize = null;
    while (!ended) {
      long at = offset;
      int n = in.readNBytes(header, 0, BLOCK);
      offset += n;
      if (n == 0) {
        ended = true; // no end-of-archive blocks: tolerated, as GNU tar does
        return null;
      }
      if (n < BLOCK) {
        throw new TarFormatException(label + ": truncated header at offset " + at);
      }
      if (isZero(header)) {
        ended = true;
        return null;
      }
      verifyChecksum(at);
      byte type = header[156];
      long size = paxSize != null ? paxSize : parseNumber(header, 124, 12, at);
      String name = longName != null ? longName : headerName();
      if (size < 0 || size > maxEntryBytes) {
        throw new TarFormatException(label + ": member " + name + " at offset " + at + " has size " + size
            + ", over the limit of " + maxEntryBytes + " bytes");
      }
      byte[] data = readData((int) size, name, at);
      switch (type) {
        case '0', 0, '7' -> {
          return new Entry(name, data);
        }
        case 'x' -> {
          for (String rec : pax(data)) {
            int eq = rec.indexOf('=');
            String k = rec.substring(0, eq);
            String v = rec.substring(eq + 1);
            if (k.equals("path")) {
              longName = v;
            } else if (k.equals("size")) {
              paxSize = Long.parseLong(v);
            }
          }
        }
        case 'L' -> longName = cString(data, 0, data.length);
        default -> { // directory, link, global header, …: skipped
          longName = null;
          paxSize = null;
        }
      }
    }
    return null;
  }

  private byte[] readData(int size, String name, long at) throws IOException {
    byte[] data = in.readNBytes(size);
    offset += data.length;
    if (data.length < size) {
      throw new TarFormatException(label + ": member " + name + " at offset " + at + " is truncated ("
          + data.length + " of " + size + " bytes)");
    }
    int pad = (BLOCK - size % BLOCK) % BLOCK;
    offset += in.readNBytes(pad).length; // a short final padding is tolerated
    return data;
  }

  private static String[] pax(byte[] data) {
    // records "LEN key=value\n"
    List<String> out = new ArrayList<>();
    int p = 0;
    while (p < data.length) {
      int sp = p;
      while (sp < data.length && data[sp] != ' ') {
        sp++;
      }
      if (sp >= data.length) {
        break;
      }
      int len = Integer.parseInt(new String(data, p, sp - p, StandardCharsets.US_ASCII));
      if (len <= 0 || p + len > data.length) {
        break;
      }
      String rec = new String(data, sp + 1, p + len - sp - 2, StandardCharsets.UTF_8);
      if (rec.indexOf('=') > 0) {
        out.add(rec);
      }
      p += len;
    }
    return out.toArray(new String[0]);
  }

  private String headerName() {
    String name = cString(header, 0, 100);
    boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
        && header[261] == 'r' && header[262] == 0;
    if (ustar && header[345] != 0) {
      name = cString(header, 345, 155) + "/" + name;
    }
    return name;
  }

  private void verifyChecksum(long at) throws TarFormatException {
    long stored = parseNumber(header, 148, 8, at);
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      byte b = i >= 148 && i < 156 ? (byte) ' ' : header[i];
      unsigned += b & 0xFF;
      signed += b;
    }
    if (stored != unsigned && stored != signed) {
      throw new TarFormatException(label + ": bad header checksum at offset " + at + " (stored " + stored
          + ", computed " + unsigned + ")");
    }
  }

  private long parseNumber(byte[] h, int off, int len, long at) throws TarFormatException {
    if ((h[off] & 0x80) != 0) { // GNU base-256
      long v = h[off] & 0x7F;
      for (int i = 1; i < len; i++) {
        v = (v << 8) | (h[off + i] & 0xFF);
      }
      return v;
    }
    long v = 0;
    boolean any = false;
    for (int i = off; i < off + len; i++) {
      byte b = h[i];
      if (b == 0 || (b == ' ' && any)) {
        break;
      } else if (b == ' ') {
        continue;
      } else if (b < '0' || b > '7') {
        throw new TarFormatException(label + ": bad octal number in header at offset " + at);
      }
      v = v * 8 + (b - '0');
      any = true;
    }
    return v;
  }

  private static String cString(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
