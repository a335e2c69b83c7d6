package org.blip4j.eval;

import edu.stanford.nlp.ling.CoreAnnotations;
import edu.stanford.nlp.ling.CoreLabel;
import edu.stanford.nlp.process.CoreLabelTokenFactory;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The caption tokenization of pycocoevalcap's {@code PTBTokenizer.tokenize} (salaniz/pycocoevalcap
 * v1.2, same as tylin/coco-caption): every caption has {@code "\n"} replaced by a space, the captions
 * of one batch are joined with {@code "\n"} and tokenized by ONE run of Stanford CoreNLP 3.4.1's
 * {@code edu.stanford.nlp.process.PTBTokenizer -preserveLines -lowerCase}; output line k is caption
 * k's {@linkplain #rawLines raw line}, which is right-stripped, split on single spaces and freed of
 * the {@link #PUNCTUATIONS 17 punctuation tokens}.
 *
 * <p>The CoreNLP class runs in-process with exactly what its command line does for those two flags:
 * lexer option {@code tokenizeNLs}, each token's text lower-cased with {@code Locale.ENGLISH} (so
 * {@code (} comes out as {@code -lrb-} and is not dropped by the filter), tokens of a line joined by
 * one space, a line break written for each newline token. The batch matters: the lexer looks past
 * the end of a line, so a caption ending in {@code F.} can tokenize differently alone and in a batch
 * ({@code f .} before a line starting {@code A large ...}). Characters the lexer takes for a line
 * break (CR, VT, FF, U+0085, U+2028, U+2029) inside a caption would make the Python wrapper pair
 * later lines with the wrong captions; here they raise an {@link IllegalArgumentException}
 * instead. Untokenizable characters (emoji) are deleted and the first of a batch is reported by
 * CoreNLP's {@code java.util.logging} logger, as in the command line. Stateless and thread-safe.
 */
public final class PtbTokenizer {
  /** Tokens dropped after tokenization, pycocoevalcap's {@code PUNCTUATIONS} (upper-case brackets as written there). */
  public static final List<String> PUNCTUATIONS =
      List.of("''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";");

  private static final Set<String> DROPPED = Set.copyOf(PUNCTUATIONS);

  /** {@code PTBLexer.NEWLINE_TOKEN} (the lexer class is package-private): the token text of a line break. */
  private static final String NEWLINE_TOKEN = "*NL*";

  private PtbTokenizer() {}

  /**
   * Tokenizes one batch as pycocoevalcap does and returns, per caption, the filtered string the
   * scorers see (tokens joined by single spaces; may be empty).
   */
  public static List<String> tokenize(List<String> captions) {
    List<String> raw = rawLines(captions);
    List<String> out = new ArrayList<>(raw.size());
    for (String line : raw) {
      out.add(filter(line));
    }
    return out;
  }

  /**
   * The PTBTokenizer output line of each caption of the batch, before the punctuation filter.
   *
   * @throws IllegalArgumentException when the output does not have one line per caption (a caption
   *     holds a character the lexer treats as a line break)
   */
  public static List<String> rawLines(List<String> captions) {
    if (captions.isEmpty()) {
      return List.of();
    }
    StringBuilder joined = new StringBuilder();
    for (int i = 0; i < captions.size(); i++) {
      if (i > 0) {
        joined.append('\n');
      }
      joined.append(captions.get(i).replace('\n', ' '));
    }
    String output = runCommandLine(joined.toString());
    List<String> lines = PyStr.split(output, '\n');
    if (lines.size() != captions.size()) {
      throw new IllegalArgumentException(
          "PTB tokenizer produced "
              + lines.size()
              + " lines for "
              + captions.size()
              + " captions"
              + describeLineBreaks(captions)
              + "; pycocoevalcap would pair later lines with the wrong captions");
    }
    return lines;
  }

  /** The wrapper's filter: {@code " ".join(t for t in line.rstrip().split(" ") if t not in PUNCTUATIONS)}. */
  public static String filter(String rawLine) {
    List<String> kept = new ArrayList<>();
    for (String token : PyStr.split(PyStr.rstrip(rawLine), ' ')) {
      if (!DROPPED.contains(token)) {
        kept.add(token);
      }
    }
    return String.join(" ", kept);
  }

  /** What {@code PTBTokenizer.main -preserveLines -lowerCase} writes for {@code text} (tokReader). */
  private static String runCommandLine(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    boolean beginLine = true;
    var tokenizer =
        new edu.stanford.nlp.process.PTBTokenizer<CoreLabel>(
            new StringReader(text), new CoreLabelTokenFactory(), ",tokenizeNLs");
    while (tokenizer.hasNext()) {
      CoreLabel token = tokenizer.next();
      String original = token.get(CoreAnnotations.TextAnnotation.class);
      if (NEWLINE_TOKEN.equals(original)) {
        beginLine = true;
        out.append('\n');
      } else {
        if (!beginLine) {
          out.append(' ');
        }
        beginLine = false;
        out.append(original.toLowerCase(Locale.ENGLISH));
      }
    }
    return out.toString();
  }

  private static String describeLineBreaks(List<String> captions) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < captions.size(); i++) {
      String c = captions.get(i);
      for (int j = 0; j < c.length(); j++) {
        char ch = c.charAt(j);
        if (ch == '\r' || ch == 0x0B || ch == 0x0C || ch == 0x85 || ch == 0x2028 || ch == 0x2029) {
          sb.append(sb.length() == 0 ? " (line-break characters in caption " : ", ").append(i);
          sb.append(String.format(" U+%04X", (int) ch));
          break;
        }
      }
    }
    return sb.length() == 0 ? "" : sb.append(')').toString();
  }
}
