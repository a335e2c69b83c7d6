package org.blip4j.task;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Objects;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.RgbImage;

/** An image given to a task: a file, encoded bytes, a {@link BufferedImage} or decoded RGB. */
public sealed interface ImageInput {

  /** A name for messages and JSON output (the path, or a caller-given label). */
  String name();

  /** Decodes to RGB as PIL's {@code convert('RGB')} would. */
  RgbImage decode(ImageDecoder decoder);

  /** An image file. */
  static ImageInput of(Path file) {
    return new FileInput(Objects.requireNonNull(file, "file"));
  }

  /** Encoded bytes (PNG, JPEG, GIF, BMP, WebP). */
  static ImageInput of(byte[] encoded, String name) {
    return new BytesInput(Objects.requireNonNull(encoded, "encoded"), name);
  }

  /** An in-memory image. */
  static ImageInput of(BufferedImage image, String name) {
    return new BufferedInput(Objects.requireNonNull(image, "image"), name);
  }

  /** Already decoded RGB pixels. */
  static ImageInput of(RgbImage rgb, String name) {
    return new RgbInput(Objects.requireNonNull(rgb, "rgb"), name);
  }

  /** A file input. */
  record FileInput(Path file) implements ImageInput {
    @Override
    public String name() {
      return file.toString();
    }

    @Override
    public RgbImage decode(ImageDecoder decoder) {
      return decoder.decode(file);
    }
  }

  /** Encoded bytes. */
  record BytesInput(byte[] encoded, String name) implements ImageInput {
    @Override
    public RgbImage decode(ImageDecoder decoder) {
      return decoder.decode(encoded, name);
    }
  }

  /** A BufferedImage. */
  record BufferedInput(BufferedImage image, String name) implements ImageInput {
    @Override
    public RgbImage decode(ImageDecoder decoder) {
      return decoder.convert(image, name);
    }
  }

  /** Decoded RGB. */
  record RgbInput(RgbImage rgb, String name) implements ImageInput {
    @Override
    public RgbImage decode(ImageDecoder decoder) {
      return rgb;
    }
  }
}
