package org.blip4j.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.blip4j.image.ImageDecodeException;
import org.blip4j.image.ImageDecoder;

/** Shared checks used by every reader. */
public final class Samples {
  private Samples() {}

  /** Why a sample is bad: the reason and a detail naming the file at fault. */
  public record Problem(BadReason reason, String detail) {}

  /** Decodes UTF-8 strictly (malformed or unmappable input is an error, never a U+FFFD). */
  public static String decodeUtf8(byte[] bytes, int off, int len) throws CharacterCodingException {
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    return dec.decode(ByteBuffer.wrap(bytes, off, len)).toString();
  }

  /** {@link #decodeUtf8(byte[], int, int)} over the whole array. */
  public static String decodeUtf8(byte[] bytes) throws CharacterCodingException {
    return decodeUtf8(bytes, 0, bytes.length);
  }

  /** The lower-case extension of a file name without the dot, or "" if none. */
  public static String extension(String name) {
    int slash = name.lastIndexOf('/');
    int dot = name.lastIndexOf('.');
    return dot > slash ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
  }

  /** The first problem of {@code s}'s captions and image under {@code check}, if any. */
  public static Optional<Problem> check(Sample s, ImageCheck check, ImageDecoder decoder) {
    if (s.captions().isEmpty()) {
      return Optional.of(new Problem(BadReason.EMPTY_CAPTION, "no caption for " + s.image().source()));
    }
    for (String c : s.captions()) {
      if (c == null || c.isBlank()) {
        return Optional.of(new Problem(BadReason.EMPTY_CAPTION, "blank caption for " + s.image().source()));
      }
    }
    Optional<Problem> p = checkImage(s.image(), check, decoder);
    if (p.isEmpty() && s.meta().get("images") instanceof List<?> images) {
      for (Object o : images) {
        if (o instanceof ImageRef ref && ref != s.image()) {
          p = checkImage(ref, check, decoder);
          if (p.isPresent()) {
            break;
          }
        }
      }
    }
    return p;
  }

  /** The problem with one image under {@code check}, if any. */
  public static Optional<Problem> checkImage(ImageRef ref, ImageCheck check, ImageDecoder decoder) {
    if (check == ImageCheck.NONE) {
      return Optional.empty();
    }
    if (ref instanceof ImageRef.File f) {
      Path p = f.path();
      if (!Files.isRegularFile(p)) {
        return Optional.of(new Problem(BadReason.MISSING_IMAGE, "image file not found: " + p));
      }
      try {
        if (Files.size(p) == 0) {
          return Optional.of(new Problem(BadReason.EMPTY_FILE, "image file is empty (0 bytes): " + p));
        }
      } catch (IOException e) {
        return Optional.of(new Problem(BadReason.MISSING_IMAGE, "cannot stat image file " + p + ": " + e));
      }
    } else if (ref instanceof ImageRef.Bytes b && b.data().length == 0) {
      return Optional.of(new Problem(BadReason.EMPTY_FILE, "image member is empty (0 bytes): " + b.source()));
    }
    if (check == ImageCheck.DECODE) {
      try {
        ref.decode(decoder);
      } catch (ImageDecodeException e) {
        return Optional.of(new Problem(classify(e), e.getMessage()));
      }
    }
    return Optional.empty();
  }

  /**
   * Maps a decoder failure to a reason. The decoder reports its reason only as text, so this matches
   * the phrases {@link ImageDecoder} uses (tested in {@code RobustnessTest}).
   */
  public static BadReason classify(ImageDecodeException e) {
    String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
    if (m.contains("decompression bomb")) {
      return BadReason.DECOMPRESSION_BOMB;
    } else if (m.contains("empty input")) {
      return BadReason.EMPTY_FILE;
    } else if (m.contains("file not found")) {
      return BadReason.MISSING_IMAGE;
    } else if (m.contains("not a recognised image format")) {
      return BadReason.NOT_AN_IMAGE;
    }
    return BadReason.CORRUPT_IMAGE;
  }
}
