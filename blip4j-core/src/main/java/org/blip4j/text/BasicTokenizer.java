package org.blip4j.text;

import java.text.Normalizer;

/**
 * BERT's basic tokenization of one piece of text that holds no special-token literal, feeding each
 * resulting word to {@link WordPiece}. The steps, in HF's order (slow {@code BertTokenizer} with
 * {@code do_lower_case=True}, {@code tokenize_chinese_chars=True}, {@code strip_accents=None}):
 *
 * <ol>
 *   <li>lower-case every code point on its own (HF's {@code PreTrainedTokenizer.tokenize} regex
 *       lower-cases one character at a time, so no final-sigma rule applies; U+0130 becomes
 *       {@code i} + U+0307 as in Python);
 *   <li>clean: drop NUL, U+FFFD and control characters (category C*, except tab, LF, CR); every
 *       whitespace character (space, tab, LF, CR, category Zs) becomes a space;
 *   <li>surround each CJK ideograph with spaces;
 *   <li>NFC, then split on Python whitespace ({@code str.split()});
 *   <li>per word: lower-case again, NFD and drop non-spacing marks (Mn);
 *   <li>split off every punctuation character (ASCII 33–47, 58–64, 91–96, 123–126, category P*).
 * </ol>
 *
 * <p>Steps 1–3 commute character by character, so they run as one pass; pure-ASCII text skips both
 * normalisations. Stateless and thread-safe.
 */
final class BasicTokenizer {
  private static final boolean[] ASCII_PUNCT = new boolean[128];

  static {
    for (int c = 0; c < 128; c++) {
      ASCII_PUNCT[c] = isPunctuation(c);
    }
  }

  private BasicTokenizer() {}

  /** Appends the WordPiece ids of {@code text} (lower-cased and split as above) to out. */
  static void tokenize(String text, WordPiece wordPiece, IntList out) {
    int n = text.length();
    StringBuilder sb = new StringBuilder(n + 8);
    boolean needNfc = false;
    for (int i = 0; i < n; ) {
      char c = text.charAt(i);
      if (c < 0x80) {
        i++;
        if (c >= 'A' && c <= 'Z') {
          sb.append((char) (c + ('a' - 'A')));
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
          sb.append(' ');
        } else if (c >= 0x20 && c != 0x7F) {
          sb.append(c);
        } // else: NUL and other Cc characters are dropped
        continue;
      }
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == 0xFFFD || isControl(cp)) {
        continue;
      }
      if (isWhitespace(cp)) {
        sb.append(' ');
      } else if (isChineseChar(cp)) {
        sb.append(' ').appendCodePoint(cp).append(' ');
        needNfc = true; // CJK compatibility ideographs have singleton decompositions
      } else {
        needNfc |= appendLower(sb, cp);
      }
    }
    String clean = sb.toString();
    if (needNfc) {
      clean = Normalizer.normalize(clean, Normalizer.Form.NFC);
    }
    int len = clean.length();
    int i = 0;
    while (i < len) {
      while (i < len && isPythonSpace(clean.charAt(i))) {
        i++;
      }
      int start = i;
      boolean ascii = true;
      while (i < len && !isPythonSpace(clean.charAt(i))) {
        ascii &= clean.charAt(i) < 0x80;
        i++;
      }
      if (start == i) {
        break;
      }
      if (ascii) {
        splitOnPunctuation(clean, start, i, wordPiece, out);
      } else {
        String word = stripAccents(lowerAgain(clean.substring(start, i)));
        splitOnPunctuation(word, 0, word.length(), wordPiece, out);
      }
    }
  }

  private static void splitOnPunctuation(
      String s, int from, int to, WordPiece wordPiece, IntList out) {
    int pieceStart = from;
    for (int i = from; i < to; ) {
      char c = s.charAt(i);
      int cp = c < 0x80 ? c : s.codePointAt(i);
      int next = i + (c < 0x80 ? 1 : Character.charCount(cp));
      if (c < 0x80 ? ASCII_PUNCT[c] : isPunctuation(cp)) {
        if (pieceStart < i) {
          wordPiece.tokenize(s, pieceStart, i, out);
        }
        wordPiece.tokenize(s, i, next, out);
        pieceStart = next;
      }
      i = next;
    }
    if (pieceStart < to) {
      wordPiece.tokenize(s, pieceStart, to, out);
    }
  }

  /**
   * Appends Python's {@code chr(cp).lower()}; returns whether anything at or above U+0300 (where
   * NFC may change text) was appended.
   */
  private static boolean appendLower(StringBuilder sb, int cp) {
    if (cp == 0x130) { // the one unconditional multi-character lower-case mapping
      sb.append('i').append('\u0307');
      return true;
    }
    int lower = Character.toLowerCase(cp);
    sb.appendCodePoint(lower);
    return lower >= 0x300;
  }

  /** Python's {@code str.lower()} on an already lower-cased word (a no-op unless NFC made capitals). */
  private static String lowerAgain(String word) {
    for (int i = 0; i < word.length(); ) {
      int cp = word.codePointAt(i);
      if (cp == 0x130 || Character.toLowerCase(cp) != cp) {
        StringBuilder sb = new StringBuilder(word.length() + 2);
        sb.append(word, 0, i);
        for (int j = i; j < word.length(); ) {
          int c = word.codePointAt(j);
          appendLower(sb, c);
          j += Character.charCount(c);
        }
        return sb.toString();
      }
      i += Character.charCount(cp);
    }
    return word;
  }

  /** NFD, then drop every non-spacing mark (category Mn). */
  static String stripAccents(String word) {
    boolean below = true;
    for (int i = 0; i < word.length() && below; i++) {
      below = word.charAt(i) < 0xC0; // nothing below U+00C0 decomposes or is a mark
    }
    if (below) {
      return word;
    }
    String nfd = Normalizer.normalize(word, Normalizer.Form.NFD);
    StringBuilder sb = new StringBuilder(nfd.length());
    for (int i = 0; i < nfd.length(); ) {
      int cp = nfd.codePointAt(i);
      if (Character.getType(cp) != Character.NON_SPACING_MARK) {
        sb.appendCodePoint(cp);
      }
      i += Character.charCount(cp);
    }
    return sb.toString();
  }

  /** BERT's {@code _is_control}: category C* except tab, LF and CR (which count as whitespace). */
  static boolean isControl(int cp) {
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      return false;
    }
    switch (Character.getType(cp)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.UNASSIGNED:
      case Character.PRIVATE_USE:
      case Character.SURROGATE:
        return true;
      default:
        return false;
    }
  }

  /** BERT's {@code _is_whitespace}: space, tab, LF, CR, or category Zs. */
  static boolean isWhitespace(int cp) {
    return cp == ' '
        || cp == '\t'
        || cp == '\n'
        || cp == '\r'
        || Character.getType(cp) == Character.SPACE_SEPARATOR;
  }

  /**
   * Python's {@code str.isspace()} (what {@code str.split()} splits on): after cleaning only the
   * space, U+2028 and U+2029 can still occur, but the full set is checked.
   */
  static boolean isPythonSpace(int cp) {
    return PythonText.isSpace(cp);
  }

  /** BERT's {@code _is_punctuation}: all non-alphanumeric ASCII, plus Unicode category P*. */
  static boolean isPunctuation(int cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96)
        || (cp >= 123 && cp <= 126)) {
      return true;
    }
    switch (Character.getType(cp)) {
      case Character.CONNECTOR_PUNCTUATION:
      case Character.DASH_PUNCTUATION:
      case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION:
      case Character.INITIAL_QUOTE_PUNCTUATION:
      case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
        return true;
      default:
        return false;
    }
  }

  /** BERT's {@code _is_chinese_char}: the CJK Unified Ideographs blocks (not kana or hangul). */
  static boolean isChineseChar(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF)
        || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F)
        || (cp >= 0x2B740 && cp <= 0x2B81F)
        || (cp >= 0x2B820 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }
}
