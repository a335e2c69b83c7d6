package org.blip4j.data;

import java.io.IOException;

/** A tar stream is corrupt or truncated; the message names the archive and the offset. */
public class TarFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public TarFormatException(String message) {
    super(message);
  }
}
