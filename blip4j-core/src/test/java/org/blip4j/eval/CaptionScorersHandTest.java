package org.blip4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Bleu}, {@link RougeL}, {@link CiderD} on small cases computed by hand in the comments. */
class CaptionScorersHandTest {
  // Hand values below leave out tiny = 1e-15 / small = 1e-9 where they move a result by < 1e-9.
  private static final double LOOSE = 1e-9;

  @Test
  void bleuCountsClippingBrevityAndClosestLength() {
    // ref "the cat sat on the mat" (6 words), cand "the cat sat on mat" (5 words)
    // 1-grams: the cat sat on mat, all in ref ("the" x1 <= x2)      correct 5 / guess 5
    // 2-grams: the-cat cat-sat sat-on on-mat; on-mat not in ref       correct 3 / guess 4
    // 3-grams: the-cat-sat cat-sat-on sat-on-mat                      correct 2 / guess 3
    // 4-grams: the-cat-sat-on cat-sat-on-mat                          correct 1 / guess 2
    // brevity: ratio 5/6 -> exp(1 - 6/5) = exp(-0.2)
    Bleu.Result r = Bleu.score(List.of(List.of("the cat sat on the mat")), List.of("the cat sat on mat"));
    Bleu.ImageCounts c = r.counts().get(0);
    assertThat(c.correct()).containsExactly(5, 3, 2, 1);
    assertThat(c.guess()).containsExactly(5, 4, 3, 2);
    assertThat(c.closestRefLength()).isEqualTo(6);
    double bp = Math.exp(-0.2);
    double[] bleu = r.perImage().get(0);
    assertThat(bleu[0]).isCloseTo(1.0 * bp, within(LOOSE)); // 0.81873
    assertThat(bleu[1]).isCloseTo(Math.sqrt(3.0 / 4) * bp, within(LOOSE)); // 0.70905
    assertThat(bleu[2]).isCloseTo(Math.cbrt(3.0 / 4 * 2 / 3) * bp, within(LOOSE)); // 0.5^(1/3) bp
    assertThat(bleu[3]).isCloseTo(Math.pow(3.0 / 4 * 2 / 3 * 1 / 2, 0.25) * bp, within(LOOSE)); // 0.25^(1/4) bp
    // one image: corpus = per image
    assertThat(r.corpus()).containsExactly(bleu);
  }

  @Test
  void bleuClipsByTheMaxCountInOneReferenceAndTakesTheShorterOfTwoEquallyCloseLengths() {
    // refs "the cat" and "the the dog": max count of "the" in ONE ref = 2 (not 3 summed)
    // cand "the the the": correct1 = min(3, 2) = 2, guess1 = 3; ref lengths 2, 3 -> closest 3, no brevity
    Bleu.Result r = Bleu.score(List.of(List.of("the cat", "the the dog")), List.of("the the the"));
    assertThat(r.counts().get(0).correct()[0]).isEqualTo(2);
    assertThat(r.counts().get(0).closestRefLength()).isEqualTo(3);
    assertThat(r.perImage().get(0)[0]).isCloseTo(2.0 / 3, within(LOOSE));
    // cand of 5 words vs refs of 4 and 6 words: both at distance 1 -> the shorter, 4 (ratio 5/4, no brevity)
    Bleu.Result tie = Bleu.score(List.of(List.of("a b c d", "a b c d e f")), List.of("a b c d e"));
    assertThat(tie.counts().get(0).closestRefLength()).isEqualTo(4);
    assertThat(tie.perImage().get(0)[0]).isCloseTo(1.0, within(LOOSE)); // 5/5 correct
  }

  @Test
  void bleuCorpusUsesSummedCountsNotTheMeanOfImages() {
    // image A: "a b" vs "a b"      correct (2,1,0,0) guess (2,1,0,0)
    // image B: "c d e f" vs "x y z w" correct (0,0,0,0) guess (4,3,2,1)
    // totals: correct (2,1,0,0) guess (6,4,2,1), testlen 6 = reflen 6
    // corpus BLEU-1 = 2/6, BLEU-2 = sqrt(2/6 * 1/4); the mean of the per-image BLEU-1 would be ~0.5
    Bleu.Result r = Bleu.score(List.of(List.of("a b"), List.of("x y z w")), List.of("a b", "c d e f"));
    assertThat(r.totalCorrect()).containsExactly(2, 1, 0, 0);
    assertThat(r.totalGuess()).containsExactly(6, 4, 2, 1);
    assertThat(r.corpus()[0]).isCloseTo(1.0 / 3, within(LOOSE));
    assertThat(r.corpus()[1]).isCloseTo(Math.sqrt(1.0 / 12), within(LOOSE));
    // image B: (1e-15 / 4)^1 ~ 2.5e-16: tiny, not zero
    assertThat(r.perImage().get(1)[0]).isCloseTo(1e-15 / (4 + 1e-9), within(1e-25)).isGreaterThan(0);
  }

  @Test
  void bleuOfAnEmptyCandidateIsZeroByUnderflow() {
    // testlen 0: ratio = 1e-15 / (2 + 1e-9), exp(1 - 1/ratio) underflows to 0
    Bleu.Result r = Bleu.score(List.of(List.of("a b")), List.of(""));
    assertThat(r.perImage().get(0)).containsExactly(0.0, 0.0, 0.0, 0.0);
  }

  @Test
  void rougeLFromLcsWithBeta12() {
    // cand "a b c d", ref "a c d e f": LCS "a c d" = 3, P = 3/4, R = 3/5
    // F = (1 + 1.44) * 0.75 * 0.6 / (0.6 + 1.44 * 0.75) = 1.098 / 1.68 = 0.6535714285714286
    assertThat(RougeL.score(List.of("a c d e f"), "a b c d")).isCloseTo(1.098 / 1.68, within(1e-15));
    // with a second ref "a b" (LCS 2: P = 2/4, R = 1): Pmax = 0.75 and Rmax = 1 come from DIFFERENT refs
    // F = 2.44 * 0.75 * 1 / (1 + 1.44 * 0.75) = 1.83 / 2.08
    assertThat(RougeL.score(List.of("a c d e f", "a b"), "a b c d")).isCloseTo(1.83 / 2.08, within(1e-15));
    // split(" "): "a  b" is ["a", "", "b"], LCS with "a b" = 2, P = 2/3, R = 1
    // F = 2.44 * (2/3) / (1 + 1.44 * 2/3) = (4.88/3) / 1.96
    assertThat(RougeL.score(List.of("a b"), "a  b")).isCloseTo(4.88 / 3 / 1.96, within(1e-15));
    // empty candidate = one empty token, LCS 0 -> 0
    assertThat(RougeL.score(List.of("a b"), "")).isEqualTo(0.0);
    assertThat(RougeL.lcs(List.of("x", "a", "y", "b"), List.of("a", "b", "x"))).isEqualTo(2);
  }

  @Test
  void ciderDByHand() {
    // Two images, N = 2, log N = ln 2. Image 1: ref "a b", cand "a b c". Image 2: ref "c d", cand "x y".
    // df: a, b, "a b" -> 1 (image 1); c, d, "c d" -> 1 (image 2); weight of a ref n-gram = tf (ln2 - ln1) = ln2;
    // candidate n-grams with df 0 (c is in image 2's refs: df 1; "b c", x, y, "x y": df 0) also weigh ln2.
    // Image 1, order 1: cand {a, b, c} ln2 each, |c| = sqrt3 ln2; ref {a, b}, |r| = sqrt2 ln2;
    //   sum min(wc, wr) wr = 2 ln2^2 -> sim1 = 2 / sqrt6
    // order 2: cand {"a b", "b c"}, |c| = sqrt2 ln2; ref {"a b"}, |r| = ln2 -> sim2 = 1 / sqrt2
    // orders 3, 4: ref has none -> 0. Lengths (bigram counts) 2 vs 1 -> penalty e^(-1/72).
    // CIDEr_1 = (2/sqrt6 + 1/sqrt2) / 4 / 1 ref * 10 * e^(-1/72) = 3.7564...; image 2 shares nothing: 0.
    CiderD.Result r = CiderD.score(List.of(List.of("a b"), List.of("c d")), List.of("a b c", "x y"));
    double expected1 = (2 / Math.sqrt(6) + 1 / Math.sqrt(2)) / 4 * 10 * Math.exp(-1.0 / 72);
    assertThat(r.logNumImages()).isEqualTo(Math.log(2));
    assertThat(r.perImage()[0]).isCloseTo(expected1, within(1e-12));
    assertThat(r.perImage()[1]).isEqualTo(0.0);
    assertThat(r.corpus()).isCloseTo(expected1 / 2, within(1e-12));
    assertThat(r.sumOverRefsPerN().get(0)[0]).isCloseTo(2 / Math.sqrt(6) * Math.exp(-1.0 / 72), within(1e-15));
  }

  @Test
  void ciderDDependsOnTheEvaluatedSet() {
    // One image alone: N = 1, log N = 0, every weight is 0 -> 0 even for a perfect match.
    assertThat(CiderD.score(List.of(List.of("a b")), List.of("a b")).perImage()[0]).isEqualTo(0.0);
    // n-grams in the refs of EVERY image weigh 0: "a" appears in both images' refs.
    // Image 1: ref "a b", cand "a b"; image 2: ref "a c", cand "z".
    // order 1: cand {a: 0, b: ln2}, ref same: sim1 = ln2^2 / (ln2 * ln2) = 1; order 2 {"a b": ln2}: 1
    // CIDEr_1 = (1 + 1 + 0 + 0) / 4 * 10 = 5
    CiderD.Result r = CiderD.score(List.of(List.of("a b"), List.of("a c")), List.of("a b", "z"));
    assertThat(r.perImage()[0]).isCloseTo(5.0, within(1e-12));
  }

  @Test
  void misalignedInputsAreRejected() {
    assertThatThrownBy(() -> Bleu.score(List.of(List.of("a")), List.of("a", "b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 reference lists for 2 candidates");
    assertThatThrownBy(() -> CiderD.score(List.of(List.of("a"), List.of()), List.of("a", "b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index 1 has no reference");
  }
}
