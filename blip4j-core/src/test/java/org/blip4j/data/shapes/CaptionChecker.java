package org.blip4j.data.shapes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An independent reader of captions: parses the text back (colors, shapes, sizes, counts,
 * relations, positions) and checks it against a scene graph with plain geometry (no margins):
 * "A to the left of B" means A's box ends before B's box starts; "on the left" means the whole box
 * lies in the left half. Shares no code with the caption writer.
 */
final class CaptionChecker {
  private CaptionChecker() {}

  static final Pattern NP = Pattern.compile("\\b(?:(a|an|one|two|three|four) )?(?:(small|large) )?"
      + "(red|green|blue|yellow|purple|orange|cyan|white) (circle|square|triangle|diamond|star|cross)(es|s)?\\b");
  static final Pattern TOTAL = Pattern.compile("\\b(one|two|three|four) (shapes?|objects?)\\b");
  static final Pattern VOCAB = Pattern.compile("\\b(red|green|blue|yellow|purple|orange|cyan|white|circles?|squares?|triangles?"
      + "|diamonds?|stars?|cross(es)?|small|large|shapes?|objects?|above|below|left|right|top|bottom)\\b");
  static final List<String> RELATIONS = List.of("to the left of", "to the right of", "above", "below");
  static final List<String> POSITIONS = List.of("on the left", "on the right", "at the top", "at the bottom");
  static final List<String> NUMBER = List.of("zero", "one", "two", "three", "four");

  /** A parsed noun phrase. */
  record Phrase(String number, String size, String color, String shape, boolean plural) {
    boolean fits(SceneObject o) {
      return o.color().name().toLowerCase(Locale.ROOT).equals(color) && o.shape().name().toLowerCase(Locale.ROOT).equals(shape)
          && (size == null || o.size().name().toLowerCase(Locale.ROOT).equals(size));
    }
  }

  static List<Phrase> phrases(String text) {
    List<Phrase> out = new ArrayList<>();
    Matcher m = NP.matcher(text);
    while (m.find()) {
      out.add(new Phrase(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5) != null));
    }
    return out;
  }

  /** Whether the text mentions anything of the Shapes vocabulary. */
  static boolean mentionsVocabulary(String text) {
    return VOCAB.matcher(text).find();
  }

  /**
   * The truth of the caption for the scene. Throws if the caption cannot be parsed (no claim
   * found, or a vocabulary word outside every recognised phrase).
   */
  static boolean truth(String caption, Scene scene) {
    String text = caption.toLowerCase(Locale.ROOT);
    // every vocabulary word must belong to a recognised phrase
    String rest = NP.matcher(text).replaceAll(" NP ");
    rest = TOTAL.matcher(rest).replaceAll(" TOTAL ");
    for (String r : RELATIONS) {
      rest = rest.replace(r, " REL ");
    }
    for (String p : POSITIONS) {
      rest = rest.replace(p, " POS ");
    }
    if (mentionsVocabulary(rest)) {
      throw new IllegalArgumentException("unparsed vocabulary in '" + caption + "' -> '" + rest + "'");
    }
    List<SceneObject> objs = scene.objects();
    for (String rel : RELATIONS) {
      int at = text.indexOf(rel);
      if (at >= 0) {
        List<Phrase> left = phrases(text.substring(0, at));
        List<Phrase> right = phrases(text.substring(at + rel.length()));
        if (left.size() != 1 || right.size() != 1) {
          throw new IllegalArgumentException("relation without two phrases: " + caption);
        }
        for (SceneObject a : objs) {
          for (SceneObject b : objs) {
            if (a != b && left.get(0).fits(a) && right.get(0).fits(b) && relation(a, rel, b)) {
              return true;
            }
          }
        }
        return false;
      }
    }
    for (String pos : POSITIONS) {
      if (text.contains(pos)) {
        List<Phrase> ps = phrases(text);
        if (ps.size() != 1) {
          throw new IllegalArgumentException("position without one phrase: " + caption);
        }
        return objs.stream().anyMatch(o -> ps.get(0).fits(o) && position(o, pos, scene.size()));
      }
    }
    boolean any = false;
    boolean all = true;
    for (Phrase p : phrases(text)) {
      any = true;
      long n = objs.stream().filter(p::fits).count();
      if (p.plural()) {
        if (p.number() == null || p.size() != null) {
          throw new IllegalArgumentException("plural without number: " + caption);
        }
        all &= n == NUMBER.indexOf(p.number());
      } else {
        all &= n >= 1;
      }
    }
    Matcher t = TOTAL.matcher(text);
    while (t.find()) {
      any = true;
      all &= objs.size() == NUMBER.indexOf(t.group(1));
    }
    if (!any) {
      throw new IllegalArgumentException("no claim in: " + caption);
    }
    // two singular phrases joined by "and" must be two different objects
    List<Phrase> ps = phrases(text);
    if (ps.size() == 2 && !ps.get(0).plural() && !ps.get(1).plural()) {
      boolean two = false;
      for (SceneObject a : objs) {
        for (SceneObject b : objs) {
          two |= a != b && ps.get(0).fits(a) && ps.get(1).fits(b);
        }
      }
      all &= two;
    }
    return all;
  }

  static boolean relation(SceneObject a, String rel, SceneObject b) {
    return switch (rel) {
      case "to the left of" -> a.cx() + a.half() < b.cx() - b.half();
      case "to the right of" -> b.cx() + b.half() < a.cx() - a.half();
      case "above" -> a.cy() + a.half() < b.cy() - b.half();
      case "below" -> b.cy() + b.half() < a.cy() - a.half();
      default -> throw new IllegalArgumentException(rel);
    };
  }

  static boolean position(SceneObject o, String pos, int size) {
    double mid = size / 2.0;
    return switch (pos) {
      case "on the left" -> o.cx() + o.half() <= mid;
      case "on the right" -> o.cx() - o.half() >= mid;
      case "at the top" -> o.cy() + o.half() <= mid;
      case "at the bottom" -> o.cy() - o.half() >= mid;
      default -> throw new IllegalArgumentException(pos);
    };
  }
}
