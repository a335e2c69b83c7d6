package org.blip4j.eval;

/** An evaluation input (annotation, question or result file) is missing, malformed or inconsistent; the message names the file and the record. */
public class EvalInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** With a message naming the file and what was expected. */
  public EvalInputException(String message) {
    super(message);
  }

  /** With a message naming the file and the underlying cause. */
  public EvalInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
