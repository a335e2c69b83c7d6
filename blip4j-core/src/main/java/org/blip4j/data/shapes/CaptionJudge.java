package org.blip4j.data.shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.blip4j.data.shapes.Claim.Np;
import org.blip4j.data.shapes.Vocabulary.Color;
import org.blip4j.data.shapes.Vocabulary.Position;
import org.blip4j.data.shapes.Vocabulary.Relation;
import org.blip4j.data.shapes.Vocabulary.Shape;
import org.blip4j.data.shapes.Vocabulary.Size;
import org.blip4j.text.PreCaption;

/**
 * Decides whether a caption is true of a Shapes image: parses the caption into {@link Claim}s with
 * a small grammar over the fixed vocabulary and evaluates them with {@link Scene#holds} (the same
 * margins the generator uses). Used to measure the noise ratio of synthetic captions (CapFilt).
 *
 * <p>The text is first normalised as BLIP does ({@link PreCaption#preCaption}), then split into
 * words on anything that is not a letter or digit (so {@code "look, two red stars!"}, {@code
 * "- stock vector"} and {@code "#art"} all lex cleanly). Grammar, over lexed tokens:
 *
 * <pre>
 * caption  := { clause | count | total | and | decoration | article | stray }
 * clause   := np { [deco] position | [deco] relation [deco] np }  -- "is placed", "located" are deco
 * np       := [a | an | the] [size] color shape                     -- singular: "some such object"
 * count    := number color shape                                   -- "exactly n"; one + singular, else plural
 * total    := number (shape | object)                              -- "two shapes", "one object"
 * and      := "and" | "together with" | "as well as"                -- only right after a claim
 * number   := zero | one | ... | eight
 * </pre>
 *
 * Claims: a clause with a position gives {@link Claim.Pos}, with a relation {@link Claim.Rel} (a
 * position after the relation's object attaches to that object); bare noun phrases joined by
 * {@code and} give {@link Claim.Both} for each pair (two different objects; for three or more
 * phrases, pairwise), a lone bare phrase {@link Claim.Exists}; a count gives {@link Claim.Count},
 * a total {@link Claim.Total}. {@code and} between other claims just joins them. A count with a size
 * ("two small red circles") is outside the grammar ({@link Claim.Count} has no size): its words are
 * left unparsed, except that "one small red circle" still yields the phrase "small red circle".
 *
 * <p>Decorations are the non-content words of every template the generator writes (human, web,
 * held-out; e.g. "a picture of", "there is", "on a dark background", "clipart", "my … drawing",
 * "one can see", "exactly … are visible"); they are skipped silently. A stray article is skipped
 * too.
 *
 * <p><b>Partial parses.</b> Every other word that does not end up in a claim — a word outside the
 * vocabulary ("sunset", "moving"), or a vocabulary word that forms no claim ("red" without a
 * shape, a relation without an object, a dangling "and") — is recorded in {@link
 * Parse#unparsed()}. The verdict is decided on the recognised claims only: any false claim makes
 * the caption {@link Verdict#FALSE}; no claim at all makes it {@link Verdict#UNPARSEABLE}; otherwise
 * {@link Verdict#TRUE}, with {@link Judgement#partial()} telling that part of the text was not
 * judged. A report that wants the strict reading counts partial TRUE as noise. Video motion
 * ("moving to the right") is not judged against a still scene and so ends up unparsed.
 *
 * <p>Stateless and thread-safe.
 */
public final class CaptionJudge {
  private CaptionJudge() {}

  /** The judgement of a caption against a scene. */
  public enum Verdict {
    /** At least one claim was recognised and every recognised claim holds. */
    TRUE,
    /** Some recognised claim does not hold. */
    FALSE,
    /** No claim was recognised (off-topic text, empty or garbled output). */
    UNPARSEABLE
  }

  /**
   * What the parser recognised.
   *
   * @param text the normalised text (after {@code pre_caption})
   * @param claims the recognised claims, in caption order, without duplicates
   * @param unparsed words that belong to no claim and are not decorations, in caption order
   */
  public record Parse(String text, List<Claim> claims, List<String> unparsed) {
    /** Copies the lists. */
    public Parse {
      claims = List.copyOf(claims);
      unparsed = List.copyOf(unparsed);
    }

    /** Whether part of the text (other than decoration) is not covered by a claim. */
    public boolean partial() {
      return !unparsed.isEmpty();
    }
  }

  /**
   * A verdict with its reasons.
   *
   * @param verdict TRUE, FALSE or UNPARSEABLE
   * @param parse the parse it was decided on
   * @param falseClaims the recognised claims that do not hold (empty unless FALSE)
   */
  public record Judgement(Verdict verdict, Parse parse, List<Claim> falseClaims) {
    /** Copies the list. */
    public Judgement {
      falseClaims = List.copyOf(falseClaims);
    }

    /** Whether part of the caption was not judged ({@link Parse#partial()}). */
    public boolean partial() {
      return parse.partial();
    }
  }

  /** Parses and judges {@code caption} against {@code scene}. */
  public static Judgement judge(String caption, Scene scene) {
    Parse p = parse(caption);
    if (p.claims().isEmpty()) {
      return new Judgement(Verdict.UNPARSEABLE, p, List.of());
    }
    List<Claim> wrong = p.claims().stream().filter(c -> !scene.holds(c)).toList();
    return new Judgement(wrong.isEmpty() ? Verdict.TRUE : Verdict.FALSE, p, wrong);
  }

  /** Parses {@code caption} (any text; {@code pre_caption} is applied first) into claims. */
  public static Parse parse(String caption) {
    String text = PreCaption.preCaption(caption);
    return new Parser(text, lex(text)).run();
  }

  // ---------------------------------------------------------------------------------------------
  // Lexer: words -> tokens. Multi-word phrases are matched first, longest first.

  private enum Kind {
    ARTICLE, NUMBER, SIZE, COLOR, SHAPE, COUNT_NOUN, RELATION, POSITION, AND, DECORATION, UNKNOWN
  }

  /** A token: its kind, its words, its value (enum, number, or null) and whether a noun is plural. */
  private record Token(Kind kind, String words, Object value, boolean plural) {}

  private static final Map<String, Token> PHRASES;
  private static final Map<String, Token> WORDS;

  /** Non-content words of the generator's templates (Captions: HUMAN, HELD_OUT, WEB). */
  private static final List<String> DECORATIONS = List.of(
      // human: "a picture of", "there is/are", "on a dark background"
      "picture", "of", "there", "is", "are", "on", "dark", "background",
      // web: "my … drawing", "clipart #art", "- stock vector", "free … icon png", "my drawing:", "lol",
      // "photo:", "photo of", "look,", "on my desktop wallpaper", "wallpaper"
      "my", "drawing", "clipart", "art", "stock", "vector", "free", "icon", "png", "lol", "photo", "look", "desktop",
      "wallpaper",
      // held-out: "an image showing", "a rendering of", "a scene with", "is placed", "exactly … are visible",
      // "a scene containing", "located", "an image with" ("one can see" is a phrase below)
      "image", "showing", "rendering", "scene", "with", "placed", "exactly", "visible", "containing", "located");

  static {
    Map<String, Token> phrases = new HashMap<>();
    for (Relation r : Relation.values()) {
      phrases.put(r.phrase, new Token(Kind.RELATION, r.phrase, r, false));
    }
    for (Position p : Position.values()) {
      phrases.put(p.phrase, new Token(Kind.POSITION, p.phrase, p, false));
    }
    for (String and : List.of("together with", "as well as")) {
      phrases.put(and, new Token(Kind.AND, and, null, false));
    }
    phrases.put("one can see", new Token(Kind.DECORATION, "one can see", null, false));
    Map<String, Token> words = new HashMap<>();
    for (String d : DECORATIONS) {
      words.put(d, new Token(Kind.DECORATION, d, null, false));
    }
    for (String a : List.of("a", "an", "the")) {
      words.put(a, new Token(Kind.ARTICLE, a, null, false));
    }
    words.put("and", new Token(Kind.AND, "and", null, false));
    for (int n = 0; n < Vocabulary.NUMBERS.size(); n++) {
      words.put(Vocabulary.number(n), new Token(Kind.NUMBER, Vocabulary.number(n), n, false));
    }
    for (Size s : Size.values()) {
      words.put(s.word(), new Token(Kind.SIZE, s.word(), s, false));
    }
    for (Color c : Color.values()) {
      words.put(c.word(), new Token(Kind.COLOR, c.word(), c, false));
    }
    for (Shape s : Shape.values()) {
      words.put(s.word(), new Token(Kind.SHAPE, s.word(), s, false));
      words.put(s.plural(), new Token(Kind.SHAPE, s.plural(), s, true));
    }
    for (String noun : List.of("shape", "object")) {
      words.put(noun, new Token(Kind.COUNT_NOUN, noun, null, false));
      words.put(noun + "s", new Token(Kind.COUNT_NOUN, noun + "s", null, true));
    }
    PHRASES = Map.copyOf(phrases);
    WORDS = Map.copyOf(words);
  }

  private static final int LONGEST_PHRASE = 4;

  private static List<Token> lex(String text) {
    String[] w = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ").trim().split(" ");
    List<Token> out = new ArrayList<>();
    for (int i = 0; i < w.length; ) {
      if (w[i].isEmpty()) {
        i++;
        continue;
      }
      Token t = null;
      int len = 1;
      for (int k = Math.min(LONGEST_PHRASE, w.length - i); k >= 1 && t == null; k--) {
        t = PHRASES.get(String.join(" ", Arrays.asList(w).subList(i, i + k)));
        len = k;
      }
      if (t == null) {
        t = WORDS.getOrDefault(w[i], new Token(Kind.UNKNOWN, w[i], null, false));
      }
      out.add(t);
      i += len;
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Parser: tokens -> claims.

  /** A noun phrase as read: the claim's Np and, for a counted phrase, its number (-1 = article/none). */
  private record Phrase(Np np, int number, int end) {}

  private static final class Parser {
    private final String text;
    private final List<Token> t;
    private final Set<Claim> claims = new LinkedHashSet<>();
    private final List<String> unparsed = new ArrayList<>();
    /** The current run of bare singular phrases joined by "and" (becomes Exists or Both). */
    private final List<Np> andRun = new ArrayList<>();
    /** Whether the last thing read (decorations aside) was a claim, so that an "and" may follow. */
    private boolean afterClaim;
    /** Whether an "and" was read after a claim and waits for the next one. */
    private boolean pendingAnd;

    Parser(String text, List<Token> tokens) {
      this.text = text;
      this.t = tokens;
    }

    Parse run() {
      int p = 0;
      while (p < t.size()) {
        Token tok = t.get(p);
        Phrase np = phrase(p);
        if (np != null && np.number() < 0) {
          p = clause(np);
        } else if (np != null) {
          claim(new Claim.Count(np.number(), np.np().color(), np.np().shape()));
          p = np.end();
        } else if (tok.kind() == Kind.NUMBER && p + 1 < t.size() && t.get(p + 1).kind() == Kind.COUNT_NOUN
            && t.get(p + 1).plural() == ((Integer) tok.value() != 1)) {
          claim(new Claim.Total((Integer) tok.value()));
          p += 2;
        } else if (tok.kind() == Kind.AND && afterClaim && !pendingAnd) {
          pendingAnd = true;
          p++;
        } else if (tok.kind() == Kind.DECORATION || tok.kind() == Kind.ARTICLE) {
          p++;
        } else {
          stray(tok.words());
          p++;
        }
      }
      stray(null);
      return new Parse(text, new ArrayList<>(claims), unparsed);
    }

    /** Reads a clause starting with the singular phrase {@code np}; returns the index after it. */
    private int clause(Phrase np) {
      Np subject = np.np();
      int p = np.end();
      List<Claim> found = new ArrayList<>();
      while (true) {
        int q = skipDecorations(p);
        if (q < t.size() && t.get(q).kind() == Kind.POSITION) {
          found.add(new Claim.Pos(subject, (Position) t.get(q).value()));
          p = q + 1;
          continue;
        }
        if (q < t.size() && t.get(q).kind() == Kind.RELATION) {
          Phrase object = phrase(skipDecorations(q + 1));
          if (object != null && object.number() < 0) {
            found.add(new Claim.Rel(subject, (Relation) t.get(q).value(), object.np()));
            subject = object.np();
            p = object.end();
            continue;
          }
        }
        break;
      }
      if (found.isEmpty()) { // a bare phrase: joins the run when an "and" links it to a bare phrase
        if (!(pendingAnd && !andRun.isEmpty())) {
          flushRun();
        }
        andRun.add(np.np());
        pendingAnd = false;
        afterClaim = true;
      } else {
        found.forEach(this::claim);
      }
      return p;
    }

    /** Records a claim that is not a bare phrase. */
    private void claim(Claim c) {
      flushRun();
      claims.add(c);
      pendingAnd = false;
      afterClaim = true;
    }

    /** Records a word that belongs to no claim ({@code null}: the end of the text). */
    private void stray(String word) {
      if (pendingAnd) {
        unparsed.add("and"); // an "and" that no claim follows
      }
      pendingAnd = false;
      afterClaim = false;
      flushRun();
      if (word != null) {
        unparsed.add(word);
      }
    }

    /** Ends the current run: one Exists, or Both for every pair of its phrases. */
    private void flushRun() {
      if (andRun.size() == 1) {
        claims.add(new Claim.Exists(andRun.get(0)));
      }
      for (int i = 0; i < andRun.size(); i++) {
        for (int j = i + 1; j < andRun.size(); j++) {
          claims.add(new Claim.Both(andRun.get(i), andRun.get(j)));
        }
      }
      andRun.clear();
    }

    private int skipDecorations(int p) {
      while (p < t.size() && t.get(p).kind() == Kind.DECORATION) {
        p++;
      }
      return p;
    }

    /**
     * A noun phrase at {@code p}: {@code [article | number] [size] color shape} with number
     * agreement (article or nothing: singular; one: singular; other numbers: plural), or null.
     * A counted phrase with a size is rejected (no claim can express it).
     */
    private Phrase phrase(int p) {
      int number = -1;
      int q = p;
      if (q < t.size() && t.get(q).kind() == Kind.ARTICLE) {
        q++;
      } else if (q < t.size() && t.get(q).kind() == Kind.NUMBER) {
        number = (Integer) t.get(q).value();
        q++;
      }
      Size size = null;
      if (q < t.size() && t.get(q).kind() == Kind.SIZE) {
        size = (Size) t.get(q).value();
        q++;
      }
      if (q + 1 >= t.size() || t.get(q).kind() != Kind.COLOR || t.get(q + 1).kind() != Kind.SHAPE) {
        return null;
      }
      boolean plural = t.get(q + 1).plural();
      boolean agrees = number < 0 ? !plural : plural == (number != 1);
      if (!agrees || (number >= 0 && size != null)) {
        return null;
      }
      return new Phrase(new Np((Color) t.get(q).value(), (Shape) t.get(q + 1).value(), size), number, q + 2);
    }
  }
}
