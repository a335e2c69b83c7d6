package org.blip4j.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a deterministic POSIX ustar archive: regular files only, mode 0644, uid/gid 0, empty
 * user/group names, mtime 0, so the same members in the same order always give identical bytes.
 * The archive ends with two zero blocks and is padded to a 10 240-byte record, as GNU tar does.
 * Names longer than 100 bytes are split into ustar's prefix/name at a '/'; names that cannot be
 * split are refused.
 */
public final class TarWriter implements Closeable {
  private static final int BLOCK = 512;
  private static final int RECORD = 20 * BLOCK;
  private static final long MAX_SIZE = 077777777777L; // 11 octal digits

  private final OutputStream out;
  private long written;
  private boolean finished;

  /** Writes to {@code out}, which {@link #close()} closes. */
  public TarWriter(OutputStream out) {
    this.out = out;
  }

  /** Appends one regular-file member. */
  public void add(String name, byte[] data) throws IOException {
    if (finished) {
      throw new IllegalStateException("archive already finished");
    }
    if (data.length > MAX_SIZE) {
      throw new IllegalArgumentException("member " + name + " is larger than ustar's 8 GiB limit");
    }
    byte[] h = new byte[BLOCK];
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    if (nameBytes.length == 0) {
      throw new IllegalArgumentException("empty member name");
    }
    if (nameBytes.length <= 100) {
      System.arraycopy(nameBytes, 0, h, 0, nameBytes.length);
    } else {
      int split = -1;
      for (int i = nameBytes.length - 1; i > 0; i--) {
        if (nameBytes[i] == '/' && i <= 155 && nameBytes.length - i - 1 <= 100 && nameBytes.length - i - 1 > 0) {
          split = i;
          break;
        }
      }
      if (split < 0) {
        throw new IllegalArgumentException("member name too long for ustar (max 100 bytes, or a 155-byte"
            + " directory prefix + 100-byte name): " + name);
      }
      System.arraycopy(nameBytes, split + 1, h, 0, nameBytes.length - split - 1);
      System.arraycopy(nameBytes, 0, h, 345, split);
    }
    octal(h, 100, 8, 0644);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, data.length);
    octal(h, 136, 12, 0);
    h[156] = '0';
    System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xFF;
    }
    octal(h, 148, 7, sum); // 6 digits + NUL, then the space already there
    h[155] = ' ';
    out.write(h);
    out.write(data);
    int pad = (BLOCK - data.length % BLOCK) % BLOCK;
    out.write(new byte[pad]);
    written += BLOCK + data.length + pad;
  }

  /** Writes the end-of-archive blocks and the record padding; idempotent. */
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    long end = written + 2 * BLOCK;
    long padded = (end + RECORD - 1) / RECORD * RECORD;
    out.write(new byte[(int) (padded - written)]);
    out.flush();
  }

  /** {@code len - 1} zero-padded octal digits then NUL. */
  private static void octal(byte[] h, int off, int len, long v) {
    String s = Long.toOctalString(v);
    int digits = len - 1;
    if (s.length() > digits) {
      throw new IllegalArgumentException("value " + v + " does not fit " + digits + " octal digits");
    }
    for (int i = 0; i < digits; i++) {
      int j = i - (digits - s.length());
      h[off + i] = (byte) (j < 0 ? '0' : s.charAt(j));
    }
    h[off + digits] = 0;
  }

  @Override
  public void close() throws IOException {
    try {
      finish();
    } finally {
      out.close();
    }
  }
}
