package org.blip4j.checkpoint;

/** A checkpoint, config or model directory that cannot be loaded; the message names the file and key at fault. */
public class CheckpointException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
