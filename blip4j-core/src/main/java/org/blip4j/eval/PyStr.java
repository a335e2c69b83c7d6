package org.blip4j.eval;

import java.util.ArrayList;
import java.util.List;
import org.blip4j.text.PythonText;

/**
 * The few Python {@code str} operations the reference evaluators use, with Python 3's notion of
 * whitespace ({@code str.isspace()}), on code points.
 */
final class PyStr {
  private PyStr() {}

  /** Python 3 {@code str.isspace()} for one code point. */
  static boolean isSpace(int cp) {
    return PythonText.isSpace(cp);
  }

  /** {@code s.split()}: runs of whitespace separate words; no empty words. */
  static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    int n = s.length();
    int i = 0;
    while (i < n) {
      while (i < n && isSpace(s.codePointAt(i))) {
        i += Character.charCount(s.codePointAt(i));
      }
      int start = i;
      while (i < n && !isSpace(s.codePointAt(i))) {
        i += Character.charCount(s.codePointAt(i));
      }
      if (start < i) {
        out.add(s.substring(start, i));
      }
    }
    return out;
  }

  /** {@code s.split(sep)} for a one-character separator: keeps empty pieces ({@code "".split(" ")} is {@code [""]}). */
  static List<String> split(String s, char sep) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == sep) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }

  /** {@code s.strip()}. */
  static String strip(String s) {
    return rstrip(lstrip(s));
  }

  /** {@code s.lstrip()}. */
  static String lstrip(String s) {
    int i = 0;
    while (i < s.length() && isSpace(s.codePointAt(i))) {
      i += Character.charCount(s.codePointAt(i));
    }
    return s.substring(i);
  }

  /** {@code s.rstrip()}. */
  static String rstrip(String s) {
    int end = s.length();
    while (end > 0 && isSpace(s.codePointBefore(end))) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return s.substring(0, end);
  }
}
