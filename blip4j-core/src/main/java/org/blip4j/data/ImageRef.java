package org.blip4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.RgbImage;

/**
 * Where a sample's image comes from: a file under an image root, or encoded bytes taken from a shard.
 * Nothing is decoded until {@link #decode(ImageDecoder)} is called.
 */
public sealed interface ImageRef permits ImageRef.File, ImageRef.Bytes {

  /** A label for logs and errors: the path, or {@code shard:member}. */
  String source();

  /** The encoded bytes (reads the file for {@link File}). */
  byte[] readBytes();

  /** Decodes the image; throws {@link org.blip4j.image.ImageDecodeException} naming {@link #source()}. */
  RgbImage decode(ImageDecoder decoder);

  /** An image file; {@code path} is already resolved against the image root. */
  record File(Path path) implements ImageRef {
    @Override
    public String source() {
      return path.toString();
    }

    @Override
    public byte[] readBytes() {
      try {
        return Files.readAllBytes(path);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read image file " + path, e);
      }
    }

    @Override
    public RgbImage decode(ImageDecoder decoder) {
      return decoder.decode(path);
    }
  }

  /**
   * Encoded image bytes, e.g. the {@code key.jpg} member of a tar shard.
   *
   * @param name the member name ({@code 000001.jpg}); its extension is the format used when re-writing
   * @param source label for errors ({@code /data/00000.tar:000001.jpg})
   */
  record Bytes(String name, byte[] data, String source) implements ImageRef {
    @Override
    public byte[] readBytes() {
      return data.clone();
    }

    @Override
    public RgbImage decode(ImageDecoder decoder) {
      return decoder.decode(data, source);
    }

    /** The lower-case extension of {@link #name()} without the dot, or "" if none. */
    public String extension() {
      return Samples.extension(name);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Bytes b && name.equals(b.name) && Arrays.equals(data, b.data) && source.equals(b.source);
    }

    @Override
    public int hashCode() {
      return 31 * name.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "Bytes[" + source + ", " + data.length + " bytes]";
    }
  }
}
