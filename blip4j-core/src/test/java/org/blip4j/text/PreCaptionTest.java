package org.blip4j.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code pre_caption} / {@code pre_question} of salesforce/BLIP {@code data/utils.py}. Every
 * expected value was worked out by hand from the Python source, step by step, as the comments say.
 * Python's steps: pre_caption = lower → re.sub('([.!"()*#:;~])', ' ') → re.sub('\s{2,}', ' ') →
 * rstrip('\n') → strip(' ') → split(' ') / truncate; pre_question = lower → re.sub(same class, '')
 * → rstrip(' ') → split(' ') / truncate.
 */
class PreCaptionTest {

  @Test
  void captionPunctuationBecomesSpacesThenRunsCollapse() {
    // lower: 'a dog.  running!\n'; class -> ' ': 'a dog   running \n' ('.' and '!' became spaces);
    // \s{2,}: '   ' -> ' ' and ' \n' -> ' ': 'a dog running '; rstrip('\n') no-op; strip(' ').
    assertThat(PreCaption.preCaption("A Dog.  Running!\n")).isEqualTo("a dog running");
  }

  @Test
  void everyCharacterOfTheClassIsReplacedButCommaAndQuestionMarkStay() {
    // '"hello" (world) *#:;~ end': each of " ( ) * # : ; ~ -> ' ', giving
    // ' hello   world        end' -> collapse -> ' hello world end' -> strip(' ') -> 'hello world end'.
    assertThat(PreCaption.preCaption("\"Hello\" (World) *#:;~ end")).isEqualTo("hello world end");
    // ',' '?' '\'' '-' are not in the class: 'what, is this? a dog's-toy' unchanged except lower().
    assertThat(PreCaption.preCaption("What, is this? A dog's-toy")).isEqualTo("what, is this? a dog's-toy");
  }

  @Test
  void singleNewlineOrTabIsNotWhitespaceRun() {
    // 'a cat\n': the lone '\n' is not \s{2,}; rstrip('\n') removes it.
    assertThat(PreCaption.preCaption("a cat\n")).isEqualTo("a cat");
    // A leading '\n' survives: rstrip works on the right only and strip(' ') removes spaces only.
    assertThat(PreCaption.preCaption("\na cat")).isEqualTo("\na cat");
    // A single tab stays; two whitespace characters (tab+tab, space+newline) become one space.
    assertThat(PreCaption.preCaption("a\tb")).isEqualTo("a\tb");
    assertThat(PreCaption.preCaption("a\t\tb \nc")).isEqualTo("a b c");
    // '  x  ' -> \s{2,} -> ' x ' -> strip(' ') -> 'x'
    assertThat(PreCaption.preCaption("  x  ")).isEqualTo("x");
  }

  @ParameterizedTest(name = "max_words={1}")
  @CsvSource({
    // split(' ') of 'one two three four five' has 5 words; more than max keeps the first max.
    "'one two three four five', 3, 'one two three'",
    "'one two three four five', 5, 'one two three four five'",
    "'one two three four five', 1, 'one'",
  })
  void captionTruncatesToMaxWords(String in, int max, String want) {
    assertThat(PreCaption.preCaption(in, max)).isEqualTo(want);
  }

  @Test
  void captionTruncationCountsSpaceSeparatedPieces() {
    // 'a\tb c'.split(' ') == ['a\tb', 'c'] -> max 1 -> 'a\tb'
    assertThat(PreCaption.preCaption("a\tb c", 1)).isEqualTo("a\tb");
    // 60 words, default max_words=50 -> the first 50 joined.
    String sixty = "w ".repeat(59) + "w";
    assertThat(PreCaption.preCaption(sixty)).isEqualTo("w ".repeat(49) + "w");
  }

  @Test
  void captionLowerCaseIsPythonStrLower() {
    // Python 'ΟΔΟΣ'.lower() == 'οδος' (final sigma applies to the whole string).
    assertThat(PreCaption.preCaption("ΟΔΟΣ")).isEqualTo("οδος");
  }

  @Test
  void questionPunctuationIsDeletedNotReplaced() {
    // lower: 'is it (red)... '; delete class chars: 'is it red '; rstrip(' '): 'is it red'
    assertThat(PreCaption.preQuestion("Is it (RED)... ")).isEqualTo("is it red");
    // '?' is not in the class
    assertThat(PreCaption.preQuestion("What is on the table?")).isEqualTo("what is on the table?");
    // 'dog.cat' -> 'dogcat' (pre_caption would give 'dog cat')
    assertThat(PreCaption.preQuestion("dog.cat")).isEqualTo("dogcat");
    assertThat(PreCaption.preCaption("dog.cat")).isEqualTo("dog cat");
  }

  @Test
  void questionKeepsInnerAndLeadingWhitespace() {
    // no \s{2,} step and only rstrip(' '): double spaces, a leading space and a trailing '\n' stay.
    assertThat(PreCaption.preQuestion(" what  color\n")).isEqualTo(" what  color\n");
  }

  @Test
  void questionTruncationCountsEmptyPieces() {
    // 'a  b c'.split(' ') == ['a', '', 'b', 'c'] (4 > 2) -> ' '.join(['a', '']) == 'a '
    assertThat(PreCaption.preQuestion("a  b c", 2)).isEqualTo("a ");
    assertThat(PreCaption.preQuestion("a b c", 3)).isEqualTo("a b c");
  }

  @Test
  void negativeMaxWordsIsRejected() {
    assertThatThrownBy(() -> PreCaption.preCaption("a", -1)).isInstanceOf(IllegalArgumentException.class);
  }
}
