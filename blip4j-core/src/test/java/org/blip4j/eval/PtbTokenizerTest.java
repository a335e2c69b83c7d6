package org.blip4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;

/** {@link PtbTokenizer} against {@code metrics/caption/ptb_tokenization.json} (pycocoevalcap + CoreNLP 3.4.1). */
class PtbTokenizerTest {
  private static final JsonNode PTB = Fixtures.json("metrics/caption/ptb_tokenization.json");

  @Test
  void punctuationListIsTheWrappers() {
    List<String> expected = new ArrayList<>();
    PTB.get("punctuations_removed").forEach(n -> expected.add(n.asText()));
    assertThat(PtbTokenizer.PUNCTUATIONS).containsExactlyElementsOf(expected);
  }

  @Test
  void referencesBatchMatchesEveryRawLineAndTokenizedString() {
    assertBatch("references");
  }

  @Test
  void candidatesBatchMatchesEveryRawLineAndTokenizedString() {
    assertBatch("candidates");
  }

  @Test
  void extraStringsMatchAsOneBatch() {
    assertBatch("extra");
  }

  @Test
  void captionsTokenizedAloneDifferAsRecorded() {
    JsonNode diffs = PTB.get("isolation_check").get("differences");
    assertThat(diffs.size()).isEqualTo(4);
    for (JsonNode d : diffs) {
      String caption = d.get("caption").asText();
      assertThat(PtbTokenizer.rawLines(List.of(caption))).as(caption).containsExactly(d.get("ptb_raw_alone").asText());
      assertThat(PtbTokenizer.tokenize(List.of(caption))).as(caption).containsExactly(d.get("tokenized_alone").asText());
    }
  }

  @Test
  void handCases() {
    // PTB rules: clitics split off ('s, n't), "cannot" -> "can not", brackets escaped then lower-cased
    // (kept by the filter), final period split and dropped, comma dropped; \n inside a caption is a space.
    List<String> in =
        List.of("He can't go, cannot stay.", "The cat's (tiny) hat!!!", "", "two\nlines", "?!");
    assertThat(PtbTokenizer.rawLines(in))
        .containsExactly(
            "he ca n't go , can not stay .", "the cat 's -lrb- tiny -rrb- hat !!!", "", "two lines", "?!");
    assertThat(PtbTokenizer.tokenize(in))
        .containsExactly("he ca n't go can not stay", "the cat 's -lrb- tiny -rrb- hat !!!", "", "two lines", "?!");
  }

  @Test
  void emptyBatchGivesNoLines() {
    assertThat(PtbTokenizer.tokenize(List.of())).isEmpty();
    // one empty caption is one empty line
    assertThat(PtbTokenizer.tokenize(List.of(""))).containsExactly("");
  }

  @Test
  void filterKeepsEmptyPiecesLikePythonSplitOnSpace() {
    // " ".join of "a  b . ".rstrip().split(" ") minus "." = ["a", "", "b"] -> "a  b"
    assertThat(PtbTokenizer.filter("a  b . ")).isEqualTo("a  b");
    assertThat(PtbTokenizer.filter("-LRB- -lrb- ...")).isEqualTo("-lrb-");
  }

  @Test
  void lineBreakInsideCaptionIsRejectedNamingTheCaption() {
    assertThatThrownBy(() -> PtbTokenizer.rawLines(List.of("fine", "bad\rcaption", "ok")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4 lines for 3 captions")
        .hasMessageContaining("caption 1 U+000D");
  }

  private static void assertBatch(String section) {
    List<String> captions = new ArrayList<>();
    List<String> raw = new ArrayList<>();
    List<String> tokenized = new ArrayList<>();
    for (JsonNode e : PTB.get(section)) {
      captions.add(e.get("caption").asText());
      raw.add(e.get("ptb_raw").asText());
      tokenized.add(e.get("tokenized").asText());
    }
    assertThat(captions).isNotEmpty();
    assertThat(PtbTokenizer.rawLines(captions)).as(section + " raw lines").containsExactlyElementsOf(raw);
    assertThat(PtbTokenizer.tokenize(captions)).as(section + " tokenized").containsExactlyElementsOf(tokenized);
  }
}
