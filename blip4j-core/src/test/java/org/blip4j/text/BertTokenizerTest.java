package org.blip4j.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behaviour beyond the fixture strings: edge cases, vocabulary loading, and the HF 4.32 rules that
 * the fixture does not exercise (expected values derived from the HF source, as noted per test).
 */
class BertTokenizerTest {
  private static final BertTokenizer TOK = BertTokenizer.bertBaseUncased();

  /** A tiny vocabulary: line number = id. */
  private static final List<String> SMALL_VOCAB =
      List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", ".");

  @Test
  void emptyAndBlankTextGiveClsSep() {
    assertThat(TOK.encode("").inputIds()).containsExactly(BertTokenizer.CLS, BertTokenizer.SEP);
    assertThat(TOK.encode("").attentionMask()).containsExactly(1, 1);
    assertThat(TOK.encode(" \t\n\u3000").inputIds()).containsExactly(BertTokenizer.CLS, BertTokenizer.SEP);
    assertThat(TOK.tokenize("")).isEmpty();
  }

  @Test
  void wordOverHundredCharsIsUnknownButHundredIsNot() {
    String hundred = "x".repeat(100);
    assertThat(TOK.tokenize(hundred + "x")).containsExactly("[UNK]");
    assertThat(TOK.tokenize(hundred)).isNotEmpty().doesNotContain("[UNK]");
    assertThat(TOK.decode(TOK.tokenIds(hundred), true, true)).isEqualTo(hundred);
    // The limit counts code points of the word after punctuation splitting: 60 + '.' + 60 is fine.
    assertThat(TOK.tokenize("x".repeat(60) + "." + "x".repeat(60))).doesNotContain("[UNK]");
  }

  @Test
  void specialLiteralsAreCutOutWhereverTheyOccur() {
    // BLIP's tokenizer comes from from_pretrained, whose sanitize_special_tokens puts all seven
    // specials in the no-split trie; HF's lower-casing regex leaves them unchanged.
    assertThat(TOK.tokenize("a[SEP]b")).containsExactly("a", "[SEP]", "b");
    assertThat(TOK.tokenize("[DEC],[ENC]x")).containsExactly("[DEC]", ",", "[ENC]", "x");
    assertThat(TOK.tokenize("[Sep] [sep]")).containsExactly("[", "sep", "]", "[", "sep", "]");
    assertThat(TOK.encode("[MASK]").inputIds()).containsExactly(101, BertTokenizer.MASK, 102);
  }

  @Test
  void lowerCasingIsPerCharacterAsInHf() {
    // HF lower-cases one character at a time (regex "(.+?)"), so no final sigma: "ΑΣ" -> "ασ".
    assertThat(TOK.tokenize("ΑΣ")).containsExactly("α", "##σ");
    // U+0130 lower-cases to "i" + U+0307 in Python; the combining dot is then stripped.
    assertThat(TOK.tokenize("İ")).containsExactly("i");
  }

  @Test
  void lineAndParagraphSeparatorsSplitWords() {
    // U+2028/U+2029 are not BERT whitespace (category Zl/Zp) but Python's str.split() splits on them.
    assertThat(TOK.tokenize("hello\u2028world\u2029hello")).containsExactly("hello", "world", "hello");
  }

  @Test
  void truncationKeepsSepAndFollowsHfWhenNothingCanBeCut() {
    assertThat(TOK.encode("a b c", Padding.NONE, true, 3).inputIds()).containsExactly(101, 1037, 102);
    // HF's truncate_sequences cuts only when more text tokens exist than must be removed: 2 tokens,
    // max_length 2 -> 2 to remove -> nothing is cut.
    assertThat(TOK.encode("a b", Padding.NONE, true, 2).inputIds()).containsExactly(101, 1037, 1038, 102);
    // Without truncation max_length only pads.
    assertThat(TOK.encode("a b c", Padding.MAX_LENGTH, false, 3).length()).isEqualTo(5);
    // maxLength <= 0 stands for model_max_length 512.
    assertThat(TOK.encode("a ".repeat(600), Padding.NONE, true, 0).length()).isEqualTo(512);
  }

  @Test
  void batchPaddingModes() {
    List<String> texts = List.of("a", "a b c");
    BatchEncoding none = TOK.encodeBatch(texts, Padding.NONE, false, 0);
    assertThat(none.get(0).length()).isEqualTo(3);
    assertThat(none.get(1).length()).isEqualTo(5);
    assertThat(none.isRectangular()).isFalse();
    assertThatThrownBy(none::sequenceLength).isInstanceOf(IllegalStateException.class);
    BatchEncoding longest = TOK.encodeBatch(texts, Padding.LONGEST, false, 0);
    assertThat(longest.get(0).inputIds()).containsExactly(101, 1037, 102, 0, 0);
    assertThat(longest.get(0).attentionMask()).containsExactly(1, 1, 1, 0, 0);
    assertThat(longest.flatInputIds()).containsExactly(101, 1037, 102, 0, 0, 101, 1037, 1038, 1039, 102);
    assertThat(longest.withFirstToken(BertTokenizer.DEC).get(1).inputId(0)).isEqualTo(BertTokenizer.DEC);
  }

  @Test
  void decodeKeepsAddedTokensApartAsHf432() {
    int s = TOK.tokenId("##s");
    // HF 4.32 _decode: [DEC]/[ENC] (added tokens) are separate sub-texts, so a following "##s" is
    // not glued; [CLS] is an ordinary vocabulary token and "[CLS] ##s" becomes "[CLS]s".
    assertThat(TOK.decode(new int[] {BertTokenizer.DEC, s}, false, true)).isEqualTo("[DEC] ##s");
    assertThat(TOK.decode(new int[] {BertTokenizer.CLS, s}, false, true)).isEqualTo("[CLS]s");
    // Ids outside the vocabulary decode to "[UNK]", which is not skipped (it is not a special id).
    assertThat(TOK.decode(new int[] {1037, 99999}, true, true)).isEqualTo("a [UNK]");
    assertThat(TOK.idToToken(-1)).isEqualTo("[UNK]");
  }

  @Test
  void cleanUpTokenizationOrder() {
    assertThat(BertTokenizer.cleanUpTokenization("i do n't know , it ' s a cat ."))
        .isEqualTo("i don't know, it's a cat.");
  }

  @Test
  void modelDirectoryVocabWinsAndDecEncAreAppended(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("vocab.txt"), SMALL_VOCAB, StandardCharsets.UTF_8);
    BertTokenizer tok = BertTokenizer.forModelDirectory(dir);
    assertThat(tok.vocabSize()).isEqualTo(11);
    assertThat(tok.decId()).isEqualTo(9);
    assertThat(tok.encId()).isEqualTo(10);
    assertThat(tok.encode("Hello worlds.").inputIds()).containsExactly(2, 5, 6, 7, 8, 3);
    assertThat(tok.encode("[DEC] hello", Padding.MAX_LENGTH, true, 6).inputIds())
        .containsExactly(2, 9, 5, 3, 0, 0);
    assertThat(tok.tokenize("goodbye")).containsExactly("[UNK]");
    assertThat(tok.decode(new int[] {9, 5, 6, 7, 3}, false, true)).isEqualTo("[DEC] hello worlds [SEP]");
  }

  @Test
  void vocabularyThatAlreadyHoldsDecKeepsItsId(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("vocab.txt"), List.of("[PAD]", "[DEC]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
    BertTokenizer tok = BertTokenizer.forModelDirectory(dir);
    assertThat(tok.decId()).isEqualTo(1);
    assertThat(tok.encId()).isEqualTo(6);
    assertThat(tok.vocabSize()).isEqualTo(7);
  }

  @Test
  void directoryWithoutVocabUsesTheDefault(@TempDir Path dir) throws IOException {
    BertTokenizer tok = BertTokenizer.forModelDirectory(dir);
    assertThat(tok.vocabSize()).isEqualTo(30524);
    assertThat(tok.encode("a dog").inputIds()).containsExactly(101, 1037, 3899, 102);
  }

  @Test
  void windowsLineEndingsAndMissingFinalNewline(@TempDir Path dir) throws IOException {
    Path vocab = dir.resolve("vocab.txt");
    Files.writeString(vocab, String.join("\r\n", SMALL_VOCAB)); // no newline at the end
    BertTokenizer tok = BertTokenizer.fromVocabFile(vocab);
    assertThat(tok.baseVocabSize()).isEqualTo(9);
    assertThat(tok.tokenId(".")).isEqualTo(8);
  }

  @Test
  void badModelDirectoriesAreRejectedNamingTheFile(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("vocab.txt"), SMALL_VOCAB);
    Path added = dir.resolve("added_tokens.json");
    Files.writeString(added, "{\"[DEC]\": 9, \"[ENC]\": 10}");
    assertThat(BertTokenizer.forModelDirectory(dir).encId()).isEqualTo(10);
    Files.writeString(added, "{\"[DEC]\": 30522}");
    assertThatThrownBy(() -> BertTokenizer.forModelDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("added_tokens.json")
        .hasMessageContaining("[DEC]");
    Files.delete(added);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": false}");
    assertThatThrownBy(() -> BertTokenizer.forModelDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tokenizer_config.json")
        .hasMessageContaining("do_lower_case");
  }

  @Test
  void badVocabulariesAreRejectedNamingTheFile(@TempDir Path dir) throws IOException {
    Path dup = dir.resolve("dup.txt");
    Files.write(dup, List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "a"));
    assertThatThrownBy(() -> BertTokenizer.fromVocabFile(dup))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dup.txt")
        .hasMessageContaining("lines 6 and 7");
    Path noUnk = dir.resolve("nounk.txt");
    Files.write(noUnk, List.of("[PAD]", "[CLS]", "[SEP]", "[MASK]"));
    assertThatThrownBy(() -> BertTokenizer.fromVocabFile(noUnk))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nounk.txt")
        .hasMessageContaining("[UNK]");
    assertThatThrownBy(() -> BertTokenizer.forModelDirectory(dir.resolve("missing")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void tokenLookups() {
    assertThat(TOK.tokenId("dog")).isEqualTo(3899);
    assertThat(TOK.tokenId("no-such-token")).isEqualTo(BertTokenizer.UNK);
    assertThat(TOK.hasToken("no-such-token")).isFalse();
    assertThat(TOK.idToToken(BertTokenizer.ENC)).isEqualTo("[ENC]");
    assertThat(TOK.isSpecialId(BertTokenizer.UNK)).isTrue();
    assertThat(TOK.isSpecialId(3899)).isFalse();
    assertThat(TOK.baseVocabSize()).isEqualTo(30522);
  }
}
