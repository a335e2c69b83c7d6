package org.blip4j.image;

/**
 * An image could not be decoded: missing or empty file, unknown format, truncated or corrupt data,
 * unsupported pixel layout, or dimensions above the decompression-bomb limit. The message names the
 * source (file path or the caller's label) and the reason.
 */
public class ImageDecodeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String source;

  /** Creates an exception for {@code source} with a human-readable {@code reason}. */
  public ImageDecodeException(String source, String reason) {
    this(source, reason, null);
  }

  /** Creates an exception for {@code source} with a human-readable {@code reason} and a cause. */
  public ImageDecodeException(String source, String reason, Throwable cause) {
    super("cannot decode image " + source + ": " + reason, cause);
    this.source = source;
  }

  /** The file path or label of the input that failed. */
  public String source() {
    return source;
  }
}
