package org.blip4j.text;

/** Python 3 string semantics that the reference code relies on (shared by the tokenizer and the metrics). */
public final class PythonText {
  private PythonText() {}

  /** Python 3 {@code str.isspace()} for one code point: what {@code str.split()} and {@code str.strip()} treat as whitespace. */
  public static boolean isSpace(int cp) {
    if (cp < 0x80) {
      return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
    }
    return cp == 0x85
        || cp == 0xA0
        || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200A)
        || cp == 0x2028
        || cp == 0x2029
        || cp == 0x202F
        || cp == 0x205F
        || cp == 0x3000;
  }
}
