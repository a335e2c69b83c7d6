package org.blip4j.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * pycocoevalcap's {@code precook}: the counts of the 1..n-grams of {@code s.split()}, per order, each
 * order in order of first occurrence (the iteration order of the Python dict). An n-gram is keyed by
 * its words joined with one space, which is unambiguous because words never contain whitespace.
 */
final class NGrams {
  final int length;
  /** {@code counts.get(k)}: the (k+1)-grams and their counts. */
  final List<Map<String, Integer>> counts;

  private NGrams(int length, List<Map<String, Integer>> counts) {
    this.length = length;
    this.counts = counts;
  }

  static NGrams of(String sentence, int n) {
    List<String> words = PyStr.split(sentence);
    List<Map<String, Integer>> counts = new ArrayList<>(n);
    for (int k = 1; k <= n; k++) {
      Map<String, Integer> order = new LinkedHashMap<>();
      for (int i = 0; i + k <= words.size(); i++) {
        order.merge(String.join(" ", words.subList(i, i + k)), 1, Integer::sum);
      }
      counts.add(order);
    }
    return new NGrams(words.size(), counts);
  }
}
