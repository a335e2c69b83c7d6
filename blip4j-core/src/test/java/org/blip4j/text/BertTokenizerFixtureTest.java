package org.blip4j.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Token-for-token parity with HF transformers 4.32's slow BertTokenizer as BLIP configures it
 * ({@code fixtures/tokenizer/case.json}): every string, both batch calls, every decode case.
 */
class BertTokenizerFixtureTest {
  private static final BertTokenizer TOK = BertTokenizer.bertBaseUncased();
  private static JsonNode fixture;

  @BeforeAll
  static void load() {
    fixture = Fixtures.json("tokenizer/case.json");
  }

  static Stream<Arguments> strings() {
    JsonNode strings = Fixtures.json("tokenizer/case.json").get("strings");
    return IntStream.range(0, strings.size())
        .mapToObj(i -> Arguments.of(i, abbreviate(strings.get(i).get("text").asText()), strings.get(i)));
  }

  static Stream<Arguments> decodeCases() {
    JsonNode cases = Fixtures.json("tokenizer/case.json").get("decode");
    return IntStream.range(0, cases.size()).mapToObj(i -> Arguments.of(i, cases.get(i)));
  }

  @Test
  void vocabularyMatchesTheFixtureConstruction() {
    JsonNode tok = fixture.get("tokenizer");
    assertThat(TOK.vocabSize()).isEqualTo(tok.get("vocab_size").asInt());
    JsonNode special = tok.get("special_ids");
    assertThat(special.size()).isEqualTo(7);
    special
        .fieldNames()
        .forEachRemaining(
            name -> assertThat(TOK.tokenId(name)).as(name).isEqualTo(special.get(name).asInt()));
    int[] instanceIds = {
      TOK.padId(), TOK.unkId(), TOK.clsId(), TOK.sepId(), TOK.tokenId("[MASK]"), TOK.decId(), TOK.encId()
    };
    assertThat(instanceIds)
        .containsExactly(
            BertTokenizer.PAD, BertTokenizer.UNK, BertTokenizer.CLS, BertTokenizer.SEP,
            BertTokenizer.MASK, BertTokenizer.DEC, BertTokenizer.ENC);
  }

  @ParameterizedTest(name = "[{0}] {1}")
  @MethodSource("strings")
  void tokensIdsAndMask(int index, String label, JsonNode c) {
    String text = c.get("text").asText();
    assertThat(TOK.tokenize(text)).as("tokens").containsExactlyElementsOf(strings(c.get("tokens")));
    Encoding e = TOK.encode(text);
    assertThat(e.inputIds()).as("input_ids").containsExactly(ints(c.get("input_ids")));
    assertThat(e.attentionMask()).as("attention_mask").containsExactly(ints(c.get("attention_mask")));
  }

  @ParameterizedTest(name = "[{0}] {1}")
  @MethodSource("strings")
  void maxLength35AndBlipStyles(int index, String label, JsonNode c) {
    Encoding e = TOK.encode(c.get("text").asText(), Padding.MAX_LENGTH, true, 35);
    assertThat(e.inputIds()).as("input_ids").containsExactly(ints(c.get("max_length_35").get("input_ids")));
    assertThat(e.attentionMask())
        .as("attention_mask")
        .containsExactly(ints(c.get("max_length_35").get("attention_mask")));
    assertThat(e.withFirstToken(BertTokenizer.DEC).inputIds())
        .as("decoder style")
        .containsExactly(ints(c.get("decoder_style_max_length_35")));
    assertThat(e.withFirstToken(BertTokenizer.ENC).inputIds())
        .as("itm style")
        .containsExactly(ints(c.get("itm_style_max_length_35")));
  }

  @ParameterizedTest(name = "[{0}] {1}")
  @MethodSource("strings")
  void decodeOfInputIds(int index, String label, JsonNode c) {
    int[] ids = ints(c.get("input_ids"));
    assertThat(TOK.decode(ids, true, true))
        .as("skip special")
        .isEqualTo(c.get("decode_skip_special").asText());
    assertThat(TOK.decode(ids, false, true))
        .as("keep special")
        .isEqualTo(c.get("decode_keep_special").asText());
  }

  @Test
  void batchLongestTruncated35() {
    BatchEncoding b = TOK.encodeBatch(allTexts(), Padding.LONGEST, true, 35);
    JsonNode want = fixture.get("batch").get("longest_trunc35");
    assertThat(b.inputIds()).isDeepEqualTo(matrix(want.get("input_ids")));
    assertThat(b.attentionMask()).isDeepEqualTo(matrix(want.get("attention_mask")));
  }

  @Test
  void batchMaxLength35() {
    BatchEncoding b = TOK.encodeBatch(allTexts(), Padding.MAX_LENGTH, true, 35);
    JsonNode want = fixture.get("batch").get("max_length35");
    assertThat(b.inputIds()).isDeepEqualTo(matrix(want.get("input_ids")));
    assertThat(b.attentionMask()).isDeepEqualTo(matrix(want.get("attention_mask")));
    assertThat(b.sequenceLength()).isEqualTo(35);
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("decodeCases")
  void decodeCase(int index, JsonNode c) {
    int[] ids = ints(c.get("ids"));
    assertThat(TOK.decode(ids, true, true)).as("skip").isEqualTo(c.get("skip_special_tokens").asText());
    assertThat(TOK.decode(ids, false, true)).as("keep").isEqualTo(c.get("keep_special_tokens").asText());
    assertThat(TOK.decode(ids, true, false))
        .as("skip, no clean-up")
        .isEqualTo(c.get("skip_special_tokens_no_cleanup").asText());
    assertThat(TOK.convertIdsToTokens(ids, false))
        .as("tokens")
        .containsExactlyElementsOf(strings(c.get("tokens")));
    long[] wide = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      wide[i] = ids[i];
    }
    assertThat(TOK.decode(wide, true, true)).as("long ids").isEqualTo(c.get("skip_special_tokens").asText());
  }

  private static List<String> allTexts() {
    List<String> texts = new ArrayList<>();
    fixture.get("strings").forEach(s -> texts.add(s.get("text").asText()));
    return texts;
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  private static int[][] matrix(JsonNode rows) {
    int[][] out = new int[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = ints(rows.get(i));
    }
    return out;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String abbreviate(String s) {
    String oneLine = s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t").replace("\0", "\\0");
    return oneLine.length() > 40 ? oneLine.substring(0, 40) + "…" : oneLine;
  }
}
