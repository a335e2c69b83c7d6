package org.blip4j.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Small encoded images, good and bad, for the data tests. */
final class TestImages {
  private TestImages() {}

  static byte[] png(int w, int h, long seed) {
    return encode(noise(w, h, seed), "png");
  }

  static byte[] jpeg(int w, int h, long seed) {
    return encode(noise(w, h, seed), "jpg");
  }

  /** The first half of a noisy JPEG: the decoder refuses it as truncated. */
  static byte[] truncatedJpeg(long seed) {
    byte[] j = jpeg(64, 64, seed);
    return Arrays.copyOf(j, j.length / 2);
  }

  /** Text bytes, as found in a file wrongly named {@code .jpg}. */
  static byte[] notAnImage() {
    return "<html><body>404 Not Found</body></html>\n".getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A PNG whose IHDR (valid CRC) declares {@code w x h} pixels, followed by a tiny IDAT and IEND: a
   * decompression-bomb header that must be refused before decoding.
   */
  static byte[] pngHeader(int w, int h) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
        .put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  /** {@code "caf\xC3 au lait"}: a lone UTF-8 lead byte. */
  static byte[] invalidUtf8() {
    return new byte[] {'c', 'a', 'f', (byte) 0xC3, ' ', 'a', 'u', ' ', 'l', 'a', 'i', 't'};
  }

  private static BufferedImage noise(int w, int h, long seed) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Random r = new Random(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, r.nextInt(0x1000000));
      }
    }
    return img;
  }

  private static byte[] encode(BufferedImage img, String format) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(img, format, bos)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bos.toByteArray();
  }
}
