package org.blip4j.image;

import java.nio.charset.StandardCharsets;

/**
 * Reads the EXIF Orientation tag (0x0112) of a JPEG (first APP1 "Exif" segment) or PNG ({@code eXIf}
 * chunk) and applies it as Pillow's {@code ImageOps.exif_transpose} does. Malformed EXIF data is
 * treated as "no orientation" (1), never as an error. Also home of the small JPEG segment scanner
 * the decoder uses to find the Adobe APP14 marker.
 */
final class ExifOrientation {
  private static final int TAG_ORIENTATION = 0x0112;
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  private ExifOrientation() {}

  /** The orientation 1..8 stored in {@code file}, or 1 when there is none or it is unreadable. */
  static int read(byte[] file) {
    try {
      int tiff = findTiffHeader(file);
      int o = tiff < 0 ? 1 : orientationFromTiff(file, tiff);
      return o >= 1 && o <= 8 ? o : 1;
    } catch (IndexOutOfBoundsException e) {
      return 1;
    }
  }

  /**
   * Transposes {@code img} for EXIF orientation {@code o}: 2 flip left-right, 3 rotate 180, 4 flip
   * top-bottom, 5 transpose, 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-clockwise.
   */
  static RgbImage apply(RgbImage img, int o) {
    if (o <= 1 || o > 8) {
      return img;
    }
    int w = img.width();
    int h = img.height();
    boolean swap = o >= 5;
    int ow = swap ? h : w;
    int oh = swap ? w : h;
    byte[] in = img.rgb();
    byte[] out = new byte[in.length];
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        int sx;
        int sy;
        switch (o) {
          case 2 -> { sx = w - 1 - x; sy = y; }
          case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
          case 4 -> { sx = x; sy = h - 1 - y; }
          case 5 -> { sx = y; sy = x; }
          case 6 -> { sx = y; sy = h - 1 - x; }
          case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
          default -> { sx = w - 1 - y; sy = x; } // 8
        }
        int src = 3 * (sy * w + sx);
        int dst = 3 * (y * ow + x);
        out[dst] = in[src];
        out[dst + 1] = in[src + 1];
        out[dst + 2] = in[src + 2];
      }
    }
    return new RgbImage(ow, oh, out);
  }

  /** Offset of the TIFF header ("II*\0" / "MM\0*") holding the EXIF IFDs, or -1. */
  private static int findTiffHeader(byte[] b) {
    if (b.length > 4 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8) {
      int p = jpegSegment(b, 0xE1, "Exif\0\0");
      return p < 0 ? -1 : p + 6;
    }
    if (startsWith(b, 0, PNG_SIGNATURE)) {
      int p = 8;
      while (p + 8 <= b.length) {
        long len = u32(b, p, false);
        String type = new String(b, p + 4, 4, StandardCharsets.ISO_8859_1);
        if (type.equals("eXIf")) {
          return startsWith(b, p + 8, "Exif\0\0") ? p + 14 : p + 8;
        }
        if (type.equals("IEND") || len > b.length) {
          return -1;
        }
        p += 12 + (int) len;
      }
    }
    return -1;
  }

  /**
   * Offset of the payload (after the 2-byte length) of the first JPEG segment with {@code marker}
   * whose payload starts with {@code prefix}, searching the headers before the first scan; -1 if none.
   */
  static int jpegSegment(byte[] b, int marker, String prefix) {
    int p = 2;
    while (p + 4 <= b.length) {
      if ((b[p] & 0xFF) != 0xFF) {
        return -1;
      }
      int m = b[p + 1] & 0xFF;
      if (m == 0xFF) {
        p++; // fill byte
        continue;
      }
      if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
        p += 2; // standalone marker
        continue;
      }
      if (m == 0xDA || m == 0xD9) {
        return -1; // start of scan / end of image
      }
      int len = u16(b, p + 2, false);
      if (m == marker && startsWith(b, p + 4, prefix) && p + 2 + len <= b.length) {
        return p + 4;
      }
      p += 2 + len;
    }
    return -1;
  }

  private static int orientationFromTiff(byte[] b, int t) {
    boolean little;
    if (b[t] == 'I' && b[t + 1] == 'I') {
      little = true;
    } else if (b[t] == 'M' && b[t + 1] == 'M') {
      little = false;
    } else {
      return 1;
    }
    long ifd = u32(b, t + 4, little);
    if (ifd < 8 || t + ifd + 2 > b.length) {
      return 1;
    }
    int p = t + (int) ifd;
    int n = u16(b, p, little);
    for (int i = 0; i < n; i++) {
      int e = p + 2 + 12 * i;
      if (u16(b, e, little) == TAG_ORIENTATION) {
        int type = u16(b, e + 2, little);
        return switch (type) {
          case 3 -> u16(b, e + 8, little); // SHORT
          case 4 -> (int) u32(b, e + 8, little); // LONG
          default -> 1;
        };
      }
    }
    return 1;
  }

  private static int u16(byte[] b, int p, boolean little) {
    int x = b[p] & 0xFF;
    int y = b[p + 1] & 0xFF;
    return little ? x | y << 8 : x << 8 | y;
  }

  private static long u32(byte[] b, int p, boolean little) {
    long hi = u16(b, little ? p + 2 : p, little);
    long lo = u16(b, little ? p : p + 2, little);
    return hi << 16 | lo;
  }

  private static boolean startsWith(byte[] b, int p, String s) {
    return startsWith(b, p, s.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static boolean startsWith(byte[] b, int p, byte[] prefix) {
    if (p < 0 || p + prefix.length > b.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[p + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
