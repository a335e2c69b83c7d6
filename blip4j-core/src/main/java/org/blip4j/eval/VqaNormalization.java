package org.blip4j.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The answer normalisation of the VQA evaluation code (GT-Vision-Lab/VQA {@code vqaEval.py} at
 * a013f00; LAVIS {@code vqa_eval.py} has the same two functions and tables): {@link #strip}, {@link
 * #processPunctuation}, {@link #processDigitArticle}. Python string semantics (Unicode whitespace
 * and digits, {@code str.lower()}), including two quirks of the original:
 *
 * <ul>
 *   <li>the period pattern {@code (?!<=\d)(\.)(?!\d)} is applied with {@code re.UNICODE} (= 32)
 *       passed as the COUNT argument of {@code re.sub}, so at most 32 periods are removed;
 *   <li>the contraction table maps {@code somebody'd} to {@code somebodyd}.
 * </ul>
 *
 * Stateless and thread-safe.
 */
public final class VqaNormalization {
  /** The 21 characters {@code processPunctuation} deletes or turns into a space, in its order. */
  static final String[] PUNCT = {
    ";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<", "@", "`", ",", "?", "!"
  };

  /** {@code manualMap}: number words to digits. */
  private static final Map<String, String> NUMBERS =
      Map.ofEntries(
          Map.entry("none", "0"),
          Map.entry("zero", "0"),
          Map.entry("one", "1"),
          Map.entry("two", "2"),
          Map.entry("three", "3"),
          Map.entry("four", "4"),
          Map.entry("five", "5"),
          Map.entry("six", "6"),
          Map.entry("seven", "7"),
          Map.entry("eight", "8"),
          Map.entry("nine", "9"),
          Map.entry("ten", "10"));

  private static final List<String> ARTICLES = List.of("a", "an", "the");

  /** {@code contractions}: whole words written without apostrophe (and a few variants) to the written form. */
  private static final Map<String, String> CONTRACTIONS = pairs(
      "aint", "ain't", "arent", "aren't", "cant", "can't", "couldve", "could've",
      "couldnt", "couldn't", "couldn'tve", "couldn't've", "couldnt've", "couldn't've",
      "didnt", "didn't", "doesnt", "doesn't", "dont", "don't", "hadnt", "hadn't",
      "hadnt've", "hadn't've", "hadn'tve", "hadn't've", "hasnt", "hasn't", "havent", "haven't",
      "hed", "he'd", "hed've", "he'd've", "he'dve", "he'd've", "hes", "he's", "howd", "how'd",
      "howll", "how'll", "hows", "how's", "Id've", "I'd've", "I'dve", "I'd've", "Im", "I'm",
      "Ive", "I've", "isnt", "isn't", "itd", "it'd", "itd've", "it'd've", "it'dve", "it'd've",
      "itll", "it'll", "let's", "let's", "maam", "ma'am", "mightnt", "mightn't",
      "mightnt've", "mightn't've", "mightn'tve", "mightn't've", "mightve", "might've",
      "mustnt", "mustn't", "mustve", "must've", "neednt", "needn't", "notve", "not've",
      "oclock", "o'clock", "oughtnt", "oughtn't", "ow's'at", "'ow's'at", "'ows'at", "'ow's'at",
      "'ow'sat", "'ow's'at", "shant", "shan't", "shed've", "she'd've", "she'dve", "she'd've",
      "she's", "she's", "shouldve", "should've", "shouldnt", "shouldn't",
      "shouldnt've", "shouldn't've", "shouldn'tve", "shouldn't've", "somebody'd", "somebodyd",
      "somebodyd've", "somebody'd've", "somebody'dve", "somebody'd've", "somebodyll", "somebody'll",
      "somebodys", "somebody's", "someoned", "someone'd", "someoned've", "someone'd've",
      "someone'dve", "someone'd've", "someonell", "someone'll", "someones", "someone's",
      "somethingd", "something'd", "somethingd've", "something'd've",
      "something'dve", "something'd've", "somethingll", "something'll", "thats", "that's",
      "thered", "there'd", "thered've", "there'd've", "there'dve", "there'd've",
      "therere", "there're", "theres", "there's", "theyd", "they'd", "theyd've", "they'd've",
      "they'dve", "they'd've", "theyll", "they'll", "theyre", "they're", "theyve", "they've",
      "twas", "'twas", "wasnt", "wasn't", "wed've", "we'd've", "we'dve", "we'd've", "weve", "we've",
      "werent", "weren't", "whatll", "what'll", "whatre", "what're", "whats", "what's",
      "whatve", "what've", "whens", "when's", "whered", "where'd", "wheres", "where's",
      "whereve", "where've", "whod", "who'd", "whod've", "who'd've", "who'dve", "who'd've",
      "wholl", "who'll", "whos", "who's", "whove", "who've", "whyll", "why'll", "whyre", "why're",
      "whys", "why's", "wont", "won't", "wouldve", "would've", "wouldnt", "wouldn't",
      "wouldnt've", "wouldn't've", "wouldn'tve", "wouldn't've", "yall", "y'all",
      "yall'll", "y'all'll", "y'allll", "y'all'll", "yall'd've", "y'all'd've",
      "y'alld've", "y'all'd've", "y'all'dve", "y'all'd've", "youd", "you'd", "youd've", "you'd've",
      "you'dve", "you'd've", "youll", "you'll", "youre", "you're", "youve", "you've");

  /** {@code re.sub} count that the original passes by mistake ({@code re.UNICODE == 32}). */
  private static final int PERIOD_STRIP_COUNT = 32;

  private VqaNormalization() {}

  /** {@code s.replace('\n', ' ').replace('\t', ' ').strip()} (Python {@code strip}: Unicode whitespace). */
  public static String strip(String s) {
    return PyStr.strip(s.replace('\n', ' ').replace('\t', ' '));
  }

  /**
   * {@code processPunctuation}: each of the 21 punctuation characters is deleted if it is followed or
   * preceded by a space in the INPUT, or the input has a digit-comma-digit; otherwise it becomes a
   * space. Then up to 32 periods not followed by a digit are deleted.
   */
  public static String processPunctuation(String in) {
    boolean commaNumber = hasDigitCommaDigit(in);
    String out = in;
    for (String p : PUNCT) {
      if (in.contains(p + " ") || in.contains(" " + p) || commaNumber) {
        out = out.replace(p, "");
      } else {
        out = out.replace(p, " ");
      }
    }
    return stripPeriods(out);
  }

  /**
   * {@code processDigitArticle}: lower-case, split on whitespace, number words to digits, drop
   * {@code a an the}, replace words found in the contraction table, join with single spaces.
   */
  public static String processDigitArticle(String in) {
    List<String> words = new ArrayList<>();
    for (String w : PyStr.split(in.toLowerCase(Locale.ROOT))) {
      String word = NUMBERS.getOrDefault(w, w);
      if (!ARTICLES.contains(word)) {
        words.add(word);
      }
    }
    words.replaceAll(w -> CONTRACTIONS.getOrDefault(w, w));
    return String.join(" ", words);
  }

  /** {@code re.search(r"(\d)(\,)(\d)", s)} with Unicode decimal digits. */
  private static boolean hasDigitCommaDigit(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (Character.isDigit(cp) && next < s.length() && s.charAt(next) == ',' && next + 1 < s.length()
          && Character.isDigit(s.codePointAt(next + 1))) {
        return true;
      }
      i = next;
    }
    return false;
  }

  /** {@code re.sub(r"(?!<=\d)(\.)(?!\d)", "", s, 32)}: the first lookahead never fails at a period. */
  private static String stripPeriods(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    int removed = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '.' && removed < PERIOD_STRIP_COUNT && !(i + 1 < s.length() && Character.isDigit(s.codePointAt(i + 1)))) {
        removed++;
        continue;
      }
      sb.append(c);
    }
    return sb.toString();
  }

  private static Map<String, String> pairs(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      if (m.put(kv[i], kv[i + 1]) != null) {
        throw new IllegalStateException("duplicate contraction " + kv[i]);
      }
    }
    return Map.copyOf(m);
  }
}
