package org.blip4j.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BLIP's text tokenizer: Hugging Face's slow (pure-Python) {@code BertTokenizer} over the
 * {@code bert-base-uncased} vocabulary with {@code do_lower_case=True}, plus the two tokens BLIP
 * adds — {@code add_special_tokens({'bos_token': '[DEC]'})} (id 30522) and {@code
 * add_special_tokens({'additional_special_tokens': ['[ENC]']})} (id 30523) — for a vocabulary of
 * 30524. Reproduces transformers 4.32 token for token (see {@code fixtures/tokenizer/case.json}).
 *
 * <p>Pipeline of {@link #tokenize}: the seven special-token literals {@code [CLS] [SEP] [PAD] [MASK]
 * [UNK] [DEC] [ENC]} are cut out of the text wherever they occur, case-sensitively ({@code [sep]} is
 * ordinary text), and become their own ids, as BLIP's {@code BertTokenizer.from_pretrained} +
 * {@code add_special_tokens} has all seven in its no-split trie. (A tokenizer built with the plain
 * constructor, as the fixture does, has only {@code [DEC]} and {@code [ENC]} in the trie and finds the
 * other five only as whole whitespace-separated words; the two agree on every fixture string.) The
 * whitespace that HF strips beside a special token would be dropped by basic tokenization anyway.
 * Every other piece goes through {@link BasicTokenizer} (clean, CJK split, lower-case, strip accents,
 * punctuation split) and {@link WordPiece}.
 *
 * <p>{@link #encode} adds {@code [CLS]} … {@code [SEP]}; truncation (HF's {@code longest_first} on a
 * single sequence) cuts the text tokens first, so {@code [SEP]} always ends the sequence; padding is
 * on the right with {@code [PAD]}. {@link #decode} follows HF's {@code _decode}. Immutable and
 * thread-safe.
 */
public final class BertTokenizer {
  /** {@code [PAD]} in the default vocabulary. */
  public static final int PAD = 0;
  /** {@code [UNK]} in the default vocabulary. */
  public static final int UNK = 100;
  /** {@code [CLS]} in the default vocabulary. */
  public static final int CLS = 101;
  /** {@code [SEP]} in the default vocabulary. */
  public static final int SEP = 102;
  /** {@code [MASK]} in the default vocabulary. */
  public static final int MASK = 103;
  /** {@code [DEC]}, BLIP's decoder BOS, appended after the default vocabulary. */
  public static final int DEC = 30522;
  /** {@code [ENC]}, BLIP's image-grounded-encoder token, appended after {@code [DEC]}. */
  public static final int ENC = 30523;
  /** BERT's {@code model_max_length}; used where a max length is asked for but not given (≤ 0). */
  public static final int MODEL_MAX_LENGTH = 512;
  /** Classpath name (next to this class) of the bundled {@code bert-base-uncased} vocabulary. */
  public static final String DEFAULT_VOCAB_RESOURCE = "bert-base-uncased-vocab.txt";

  /** Token strings. */
  public static final String PAD_TOKEN = "[PAD]";
  /** Unknown-token string. */
  public static final String UNK_TOKEN = "[UNK]";
  /** Classification-token string. */
  public static final String CLS_TOKEN = "[CLS]";
  /** Separator-token string. */
  public static final String SEP_TOKEN = "[SEP]";
  /** Mask-token string. */
  public static final String MASK_TOKEN = "[MASK]";
  /** Decoder BOS string. */
  public static final String DEC_TOKEN = "[DEC]";
  /** Image-grounded encoder token string. */
  public static final String ENC_TOKEN = "[ENC]";

  /** The special tokens of BLIP's tokenizer (HF's {@code all_special_tokens}). */
  private static final String[] SPECIALS = {
    UNK_TOKEN, SEP_TOKEN, PAD_TOKEN, CLS_TOKEN, MASK_TOKEN, DEC_TOKEN, ENC_TOKEN
  };

  private static final Logger LOG = LoggerFactory.getLogger(BertTokenizer.class);

  private final String source;
  private final String[] idToToken;
  private final Map<String, Integer> tokenToId;
  private final int baseVocabSize;
  private final int[] specialIds; // parallel to SPECIALS
  private final boolean[] isSpecial;
  private final WordPiece wordPiece;
  private final int padId;
  private final int unkId;
  private final int clsId;
  private final int sepId;

  private BertTokenizer(List<String> vocabLines, String source) {
    this.source = source;
    Map<String, Integer> vocab = new HashMap<>(vocabLines.size() * 2);
    for (int i = 0; i < vocabLines.size(); i++) {
      Integer previous = vocab.put(vocabLines.get(i), i);
      if (previous != null) {
        throw new IllegalArgumentException(
            source + ": token '" + vocabLines.get(i) + "' appears on lines " + (previous + 1)
                + " and " + (i + 1) + "; a vocabulary lists each token once");
      }
    }
    for (String required : List.of(PAD_TOKEN, UNK_TOKEN, CLS_TOKEN, SEP_TOKEN, MASK_TOKEN)) {
      if (!vocab.containsKey(required)) {
        throw new IllegalArgumentException(
            source + ": vocabulary has no " + required + " token (a BERT vocabulary must hold "
                + "[PAD], [UNK], [CLS], [SEP] and [MASK])");
      }
    }
    this.baseVocabSize = vocabLines.size();
    List<String> all = new ArrayList<>(vocabLines);
    Map<String, Integer> full = new HashMap<>(vocab);
    // HF's add_special_tokens: a token already in the vocabulary keeps its id, others are appended.
    for (String added : List.of(DEC_TOKEN, ENC_TOKEN)) {
      if (!full.containsKey(added)) {
        full.put(added, all.size());
        all.add(added);
      }
    }
    this.idToToken = all.toArray(new String[0]);
    this.tokenToId = Collections.unmodifiableMap(full);
    this.specialIds = new int[SPECIALS.length];
    this.isSpecial = new boolean[idToToken.length];
    for (int i = 0; i < SPECIALS.length; i++) {
      specialIds[i] = full.get(SPECIALS[i]);
      isSpecial[specialIds[i]] = true;
    }
    this.padId = full.get(PAD_TOKEN);
    this.unkId = full.get(UNK_TOKEN);
    this.clsId = full.get(CLS_TOKEN);
    this.sepId = full.get(SEP_TOKEN);
    this.wordPiece = new WordPiece(vocab, unkId);
  }

  // ---------------------------------------------------------------------------------- loading

  /** The tokenizer over the bundled {@code bert-base-uncased} vocabulary (shared instance). */
  public static BertTokenizer bertBaseUncased() {
    return Default.INSTANCE;
  }

  private static final class Default {
    static final BertTokenizer INSTANCE = loadDefault();

    private static BertTokenizer loadDefault() {
      String name = "classpath:org/blip4j/text/" + DEFAULT_VOCAB_RESOURCE;
      try (InputStream in = BertTokenizer.class.getResourceAsStream(DEFAULT_VOCAB_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(name + " is missing from the blip4j-core jar");
        }
        return new BertTokenizer(parseVocab(in.readAllBytes(), name), name);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + name, e);
      }
    }
  }

  /**
   * A tokenizer over the given {@code vocab.txt} (one token per line, the line number being its id),
   * with {@code [DEC]}/{@code [ENC]} appended when the file lacks them.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it is not UTF-8, repeats a token or lacks a BERT special
   */
  public static BertTokenizer fromVocabFile(Path vocabTxt) throws IOException {
    String name = vocabTxt.toString();
    return new BertTokenizer(parseVocab(Files.readAllBytes(vocabTxt), name), name);
  }

  /**
   * The tokenizer of a model directory: its own {@code vocab.txt} when present, else the bundled
   * {@code bert-base-uncased} one; {@code [DEC]}/{@code [ENC]} are appended (in that order, right
   * after the vocabulary) when the vocabulary lacks them. When the directory holds HF's {@code
   * tokenizer_config.json} or {@code added_tokens.json}, they are checked against what this class
   * implements (lower-casing on, Chinese-character splitting on, accents stripped; added tokens only
   * {@code [DEC]}/{@code [ENC]} at the ids given here) and a mismatch is an error naming the file.
   *
   * @throws IOException if a file cannot be read
   * @throws IllegalArgumentException if {@code dir} is not a directory or its files disagree
   */
  public static BertTokenizer forModelDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(dir + " is not a directory (expected a model directory)");
    }
    Path vocab = dir.resolve("vocab.txt");
    BertTokenizer tok = Files.isRegularFile(vocab) ? fromVocabFile(vocab) : bertBaseUncased();
    checkTokenizerConfig(dir.resolve("tokenizer_config.json"));
    tok.checkAddedTokens(dir.resolve("added_tokens.json"));
    return tok;
  }

  /**
   * Python's {@code open(f, encoding='utf-8').readlines()} + {@code rstrip('\n')}: universal
   * newlines ({@code \r\n} and {@code \r} end lines too), and a final line without newline counts.
   */
  static List<String> parseVocab(byte[] bytes, String name) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(name + ": vocabulary is not valid UTF-8", e);
    }
    List<String> lines = new ArrayList<>(32768);
    int start = 0;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r') {
        lines.add(text.substring(start, i));
        if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    if (start < n) {
      lines.add(text.substring(start));
    }
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(name + ": vocabulary is empty");
    }
    return lines;
  }

  private static void checkTokenizerConfig(Path config) throws IOException {
    if (!Files.isRegularFile(config)) {
      return;
    }
    JsonNode root = new ObjectMapper().readTree(config.toFile());
    expectFlag(config, root, "do_lower_case", true);
    expectFlag(config, root, "do_basic_tokenize", true);
    expectFlag(config, root, "tokenize_chinese_chars", true);
    JsonNode strip = root.get("strip_accents");
    if (strip != null && !strip.isNull() && !strip.asBoolean()) {
      throw new IllegalArgumentException(
          config + ": strip_accents=false is not supported (expected null or true: accents are "
              + "stripped whenever text is lower-cased)");
    }
  }

  private static void expectFlag(Path config, JsonNode root, String key, boolean expected) {
    JsonNode v = root.get(key);
    if (v != null && !v.isNull() && v.asBoolean() != expected) {
      throw new IllegalArgumentException(
          config + ": " + key + "=" + v + " is not supported (expected " + expected + ")");
    }
  }

  private void checkAddedTokens(Path added) throws IOException {
    if (!Files.isRegularFile(added)) {
      return;
    }
    JsonNode root = new ObjectMapper().readTree(added.toFile());
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String token = it.next();
      JsonNode value = root.get(token);
      int expected = tokenToId.getOrDefault(token, -1);
      if (!(token.equals(DEC_TOKEN) || token.equals(ENC_TOKEN)) || value.asInt(-2) != expected) {
        throw new IllegalArgumentException(
            added + ": added token '" + token + "' -> " + value + " is not supported (expected"
                + " only " + DEC_TOKEN + " -> " + tokenId(DEC_TOKEN) + " and " + ENC_TOKEN + " -> "
                + tokenId(ENC_TOKEN) + ")");
      }
    }
  }

  // ---------------------------------------------------------------------------------- vocabulary

  /** Where the vocabulary came from (a path or a classpath name). */
  public String source() {
    return source;
  }

  /** Vocabulary size including the added {@code [DEC]}/{@code [ENC]} (HF's {@code len(tok)}). */
  public int vocabSize() {
    return idToToken.length;
  }

  /** Size of the vocabulary file alone (HF's {@code tok.vocab_size}). */
  public int baseVocabSize() {
    return baseVocabSize;
  }

  /** Id of a token string, or the {@code [UNK]} id when it is not in the vocabulary (as HF). */
  public int tokenId(String token) {
    return tokenToId.getOrDefault(token, unkId);
  }

  /** Whether the token string is in the vocabulary (added tokens included). */
  public boolean hasToken(String token) {
    return tokenToId.containsKey(token);
  }

  /** Token string of an id; {@code [UNK]} for an id outside the vocabulary (as HF). */
  public String idToToken(int id) {
    return id >= 0 && id < idToToken.length ? idToToken[id] : UNK_TOKEN;
  }

  /** Whether the id is one of the seven special tokens (HF's {@code all_special_ids}). */
  public boolean isSpecialId(int id) {
    return id >= 0 && id < isSpecial.length && isSpecial[id];
  }

  /** {@code [PAD]} id of this vocabulary. */
  public int padId() {
    return padId;
  }

  /** {@code [UNK]} id of this vocabulary. */
  public int unkId() {
    return unkId;
  }

  /** {@code [CLS]} id of this vocabulary. */
  public int clsId() {
    return clsId;
  }

  /** {@code [SEP]} id of this vocabulary. */
  public int sepId() {
    return sepId;
  }

  /** {@code [DEC]} id of this vocabulary. */
  public int decId() {
    return tokenToId.get(DEC_TOKEN);
  }

  /** {@code [ENC]} id of this vocabulary. */
  public int encId() {
    return tokenToId.get(ENC_TOKEN);
  }

  // ---------------------------------------------------------------------------------- encoding

  /** HF's {@code tok.tokenize(text)}: the token strings, without {@code [CLS]}/{@code [SEP]}. */
  public List<String> tokenize(String text) {
    IntList ids = textIds(text);
    List<String> out = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      out.add(idToToken[ids.get(i)]);
    }
    return out;
  }

  /** The token ids of {@code text}, without {@code [CLS]}/{@code [SEP]}. */
  public int[] tokenIds(String text) {
    return textIds(text).toArray();
  }

  /** HF's {@code tok(text)}: {@code [CLS]} tokens {@code [SEP]}, no truncation, no padding. */
  public Encoding encode(String text) {
    return encode(text, Padding.NONE, false, 0);
  }

  /**
   * HF's {@code tok(text, padding=..., truncation=..., max_length=...)} for one text.
   *
   * @param maxLength the length to truncate and/or pad to; ≤ 0 means {@value #MODEL_MAX_LENGTH}
   */
  public Encoding encode(String text, Padding padding, boolean truncation, int maxLength) {
    int[] ids = withSpecialTokens(textIds(text), truncation, effective(maxLength));
    int target = padding == Padding.MAX_LENGTH ? effective(maxLength) : ids.length;
    return pad(ids, target);
  }

  /**
   * HF's {@code tok(texts, padding=..., truncation=..., max_length=...)}, e.g. BLIP's {@code
   * tok(captions, padding='longest', truncation=True, max_length=35)}: each text is truncated on its
   * own (text tokens first, so {@code [SEP]} stays last), then the batch is padded.
   *
   * @param maxLength the length to truncate and/or pad to; ≤ 0 means {@value #MODEL_MAX_LENGTH}
   */
  public BatchEncoding encodeBatch(
      List<String> texts, Padding padding, boolean truncation, int maxLength) {
    Objects.requireNonNull(padding, "padding");
    int max = effective(maxLength);
    List<int[]> seqs = new ArrayList<>(texts.size());
    int longest = 0;
    for (String t : texts) {
      int[] ids = withSpecialTokens(textIds(t), truncation, max);
      seqs.add(ids);
      longest = Math.max(longest, ids.length);
    }
    List<Encoding> rows = new ArrayList<>(seqs.size());
    for (int[] ids : seqs) {
      int target =
          switch (padding) {
            case NONE -> ids.length;
            case LONGEST -> longest;
            case MAX_LENGTH -> max;
          };
      rows.add(pad(ids, target));
    }
    return new BatchEncoding(rows);
  }

  private static int effective(int maxLength) {
    return maxLength > 0 ? maxLength : MODEL_MAX_LENGTH;
  }

  /** Splits out special-token literals; every other piece goes through basic + WordPiece. */
  private IntList textIds(String text) {
    Objects.requireNonNull(text, "text");
    IntList out = new IntList(text.length() / 3 + 4);
    int pieceStart = 0;
    int from = 0;
    int bracket;
    while ((bracket = text.indexOf('[', from)) >= 0) {
      int special = specialAt(text, bracket);
      if (special < 0) {
        from = bracket + 1;
        continue;
      }
      if (pieceStart < bracket) {
        BasicTokenizer.tokenize(text.substring(pieceStart, bracket), wordPiece, out);
      }
      out.add(specialIds[special]);
      pieceStart = bracket + SPECIALS[special].length();
      from = pieceStart;
    }
    if (pieceStart < text.length()) {
      BasicTokenizer.tokenize(
          pieceStart == 0 ? text : text.substring(pieceStart), wordPiece, out);
    }
    return out;
  }

  private static int specialAt(String text, int i) {
    for (int s = 0; s < SPECIALS.length; s++) {
      if (text.startsWith(SPECIALS[s], i)) {
        return s;
      }
    }
    return -1;
  }

  /**
   * {@code [CLS]} + ids + {@code [SEP]}, cutting ids first when truncating. Like HF, when even
   * cutting every text token cannot reach {@code maxLength}, nothing is cut (and a warning logged).
   */
  private int[] withSpecialTokens(IntList ids, boolean truncation, int maxLength) {
    int n = ids.size();
    if (truncation && n + 2 > maxLength) {
      int remove = n + 2 - maxLength;
      if (n > remove) {
        n -= remove;
      } else {
        LOG.warn(
            "max_length {} leaves no room for the {} text tokens; sequence not truncated (as HF)",
            maxLength, n);
      }
    }
    int[] out = new int[n + 2];
    out[0] = clsId;
    for (int i = 0; i < n; i++) {
      out[i + 1] = ids.get(i);
    }
    out[n + 1] = sepId;
    return out;
  }

  private Encoding pad(int[] ids, int target) {
    int len = Math.max(ids.length, target);
    int[] padded = ids;
    if (len > ids.length) {
      padded = new int[len];
      System.arraycopy(ids, 0, padded, 0, ids.length);
      for (int i = ids.length; i < len; i++) {
        padded[i] = padId;
      }
    }
    int[] mask = new int[len];
    for (int i = 0; i < ids.length; i++) {
      mask[i] = 1;
    }
    return Encoding.owning(padded, mask);
  }

  // ---------------------------------------------------------------------------------- decoding

  /** HF's {@code convert_ids_to_tokens(ids, skip_special_tokens)}. */
  public List<String> convertIdsToTokens(int[] ids, boolean skipSpecialTokens) {
    List<String> out = new ArrayList<>(ids.length);
    for (int id : ids) {
      if (!(skipSpecialTokens && isSpecialId(id))) {
        out.add(idToToken(id));
      }
    }
    return out;
  }

  /** {@link #decode(int[], boolean, boolean)} for {@code long} ids (ids beyond int are unknown). */
  public String decode(long[] ids, boolean skipSpecialTokens, boolean cleanUpSpaces) {
    int[] narrow = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      narrow[i] = ids[i] == (int) ids[i] ? (int) ids[i] : -1;
    }
    return decode(narrow, skipSpecialTokens, cleanUpSpaces);
  }

  /**
   * HF's {@code tok.decode(ids, skip_special_tokens=..., clean_up_tokenization_spaces=...)} (HF's
   * default for the latter is {@code true}). Runs of ordinary tokens are joined with spaces and
   * {@code " ##"} removed; the added tokens {@code [DEC]}/{@code [ENC]} stand apart and are joined
   * to their neighbours with a space ({@code spaces_between_special_tokens=True}); skipping drops all
   * seven special tokens, {@code [UNK]} included.
   */
  public String decode(int[] ids, boolean skipSpecialTokens, boolean cleanUpSpaces) {
    List<String> subTexts = new ArrayList<>();
    List<String> current = new ArrayList<>();
    for (int id : ids) {
      if (skipSpecialTokens && isSpecialId(id)) {
        continue;
      }
      if (id >= baseVocabSize && id < idToToken.length) { // an added token
        if (!current.isEmpty()) {
          subTexts.add(tokensToString(current));
          current.clear();
        }
        subTexts.add(idToToken[id]);
      } else {
        current.add(idToToken(id));
      }
    }
    if (!current.isEmpty()) {
      subTexts.add(tokensToString(current));
    }
    String text = String.join(" ", subTexts);
    return cleanUpSpaces ? cleanUpTokenization(text) : text;
  }

  /** HF's {@code convert_tokens_to_string}: join with spaces, glue {@code ##} pieces, strip. */
  private static String tokensToString(List<String> tokens) {
    return pythonStrip(String.join(" ", tokens).replace(" ##", ""));
  }

  private static String pythonStrip(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && BasicTokenizer.isPythonSpace(s.charAt(a))) {
      a++;
    }
    while (b > a && BasicTokenizer.isPythonSpace(s.charAt(b - 1))) {
      b--;
    }
    return s.substring(a, b);
  }

  /**
   * HF's {@code clean_up_tokenization}: removes the space before {@code . ? ! ,} and English
   * contractions ({@code " ' "}→{@code "'"}, {@code n't 'm 's 've 're}), in that order.
   */
  public static String cleanUpTokenization(String text) {
    return text.replace(" .", ".")
        .replace(" ?", "?")
        .replace(" !", "!")
        .replace(" ,", ",")
        .replace(" ' ", "'")
        .replace(" n't", "n't")
        .replace(" 'm", "'m")
        .replace(" 's", "'s")
        .replace(" 've", "'ve")
        .replace(" 're", "'re");
  }

  @Override
  public String toString() {
    return "BertTokenizer{" + source + ", vocab=" + vocabSize() + "}";
  }
}
