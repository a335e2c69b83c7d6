package org.blip4j.text;

import java.util.Locale;

/**
 * BLIP's text normalisation before tokenization, from salesforce/BLIP {@code data/utils.py}:
 * {@link #preCaption} for captions (training and evaluation data, the retrieval texts) and {@link
 * #preQuestion} for VQA questions. Same steps in the same order as the Python, with Python's
 * notion of whitespace; no regular expressions. Stateless and thread-safe.
 */
public final class PreCaption {
  /** BLIP's default {@code max_words} / {@code max_ques_words}. */
  public static final int DEFAULT_MAX_WORDS = 50;

  private PreCaption() {}

  /** {@link #preCaption(String, int)} with {@code max_words=50}. */
  public static String preCaption(String caption) {
    return preCaption(caption, DEFAULT_MAX_WORDS);
  }

  /**
   * {@code pre_caption(caption, max_words)}:
   *
   * <ol>
   *   <li>{@code caption.lower()};
   *   <li>each of {@code . ! " ( ) * # : ; ~} becomes a space;
   *   <li>every run of two or more whitespace characters ({@code \s{2,}}) becomes one space;
   *   <li>{@code rstrip('\n')}, then {@code strip(' ')} (only those characters);
   *   <li>split on single spaces; more than {@code maxWords} pieces keeps the first {@code maxWords}
   *       joined by spaces.
   * </ol>
   */
  public static String preCaption(String caption, int maxWords) {
    String s = caption.toLowerCase(Locale.ROOT);
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(isCaptionPunctuation(c) ? ' ' : c);
    }
    // \s{2,} -> ' '
    StringBuilder collapsed = new StringBuilder(sb.length());
    for (int i = 0; i < sb.length(); ) {
      if (BasicTokenizer.isPythonSpace(sb.charAt(i))) {
        int j = i;
        while (j < sb.length() && BasicTokenizer.isPythonSpace(sb.charAt(j))) {
          j++;
        }
        if (j - i >= 2) {
          collapsed.append(' ');
        } else {
          collapsed.append(sb.charAt(i));
        }
        i = j;
      } else {
        collapsed.append(sb.charAt(i));
        i++;
      }
    }
    String out = stripChars(rstripChar(collapsed.toString(), '\n'), ' ');
    return truncateWords(out, maxWords);
  }

  /** {@link #preQuestion(String, int)} with {@code max_ques_words=50}. */
  public static String preQuestion(String question) {
    return preQuestion(question, DEFAULT_MAX_WORDS);
  }

  /**
   * {@code pre_question(question, max_ques_words)}: {@code lower()}; each of {@code . ! " ( ) * #
   * : ; ~} is deleted (not replaced by a space); {@code rstrip(' ')}; split on single spaces and keep
   * at most {@code maxWords} pieces. Whitespace runs are not collapsed.
   */
  public static String preQuestion(String question, int maxWords) {
    String s = question.toLowerCase(Locale.ROOT);
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!isCaptionPunctuation(c)) {
        sb.append(c);
      }
    }
    int end = sb.length();
    while (end > 0 && sb.charAt(end - 1) == ' ') {
      end--;
    }
    return truncateWords(sb.substring(0, end), maxWords);
  }

  /** The character class {@code [.!"()*#:;~]} of both functions. */
  private static boolean isCaptionPunctuation(char c) {
    switch (c) {
      case '.':
      case '!':
      case '"':
      case '(':
      case ')':
      case '*':
      case '#':
      case ':':
      case ';':
      case '~':
        return true;
      default:
        return false;
    }
  }

  /** Python's {@code s.split(' ')} then {@code ' '.join(words[:maxWords])} when longer. */
  private static String truncateWords(String s, int maxWords) {
    if (maxWords < 0) {
      throw new IllegalArgumentException("max_words must be >= 0, got " + maxWords);
    }
    if (maxWords == 0) {
      return ""; // words[:0] joined
    }
    int pieces = 1;
    int cut = -1;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == ' ') {
        if (pieces == maxWords) {
          cut = i; // the space that would start piece maxWords + 1
          break;
        }
        pieces++;
      }
    }
    return cut < 0 ? s : s.substring(0, cut);
  }

  private static String rstripChar(String s, char c) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == c) {
      end--;
    }
    return s.substring(0, end);
  }

  private static String stripChars(String s, char c) {
    int a = 0;
    int b = s.length();
    while (a < b && s.charAt(a) == c) {
      a++;
    }
    while (b > a && s.charAt(b - 1) == c) {
      b--;
    }
    return s.substring(a, b);
  }
}
