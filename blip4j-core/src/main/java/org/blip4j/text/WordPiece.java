package org.blip4j.text;

import java.util.Map;

/**
 * BERT's WordPiece: greedy longest-match-first over the vocabulary, continuation pieces spelled
 * with a {@code ##} prefix, and a word of more than {@value #MAX_INPUT_CHARS_PER_WORD} code points
 * (or one that cannot be covered by vocabulary pieces) becoming a single {@code [UNK]}.
 *
 * <p>Lookups run on a region of the input string, so no substring is allocated: word-initial
 * pieces and continuation pieces (keyed without their {@code ##}) live in two open-addressing
 * tables, and a candidate longer than the longest key of its table is never tried.
 */
final class WordPiece {
  /** HF's {@code max_input_chars_per_word}, counted in code points. */
  static final int MAX_INPUT_CHARS_PER_WORD = 100;

  private final RegionTable initial;
  private final RegionTable continuation;
  private final int unkId;

  WordPiece(Map<String, Integer> vocab, int unkId) {
    this.unkId = unkId;
    RegionTable.Builder ini = new RegionTable.Builder(vocab.size());
    RegionTable.Builder cont = new RegionTable.Builder(vocab.size() / 4);
    for (Map.Entry<String, Integer> e : vocab.entrySet()) {
      String token = e.getKey();
      ini.put(token, e.getValue());
      if (token.startsWith("##")) {
        // "##ing" is found as a continuation of "ing": equivalent to looking up "##" + piece.
        cont.put(token.substring(2), e.getValue());
      }
    }
    this.initial = ini.build();
    this.continuation = cont.build();
  }

  /** Appends the WordPiece ids of the word {@code s[from, to)} (no whitespace inside) to out. */
  void tokenize(String s, int from, int to, IntList out) {
    if (to - from > MAX_INPUT_CHARS_PER_WORD
        && s.codePointCount(from, to) > MAX_INPUT_CHARS_PER_WORD) {
      out.add(unkId);
      return;
    }
    int mark = out.size();
    int start = from;
    while (start < to) {
      RegionTable table = start == from ? initial : continuation;
      int id = -1;
      int end = Math.min(to, start + table.maxKeyLength());
      // Longest first. A region ending inside a surrogate pair never equals a (well-formed) key.
      for (; end > start; end--) {
        id = table.get(s, start, end);
        if (id >= 0) {
          break;
        }
      }
      if (id < 0) {
        out.truncate(mark);
        out.add(unkId);
        return;
      }
      out.add(id);
      start = end;
    }
  }

  /** String → int table whose lookups take a region of a string. Immutable once built. */
  static final class RegionTable {
    private final String[] keys;
    private final int[] values;
    private final int mask;
    private final int maxKeyLength;

    private RegionTable(String[] keys, int[] values, int maxKeyLength) {
      this.keys = keys;
      this.values = values;
      this.mask = keys.length - 1;
      this.maxKeyLength = maxKeyLength;
    }

    int maxKeyLength() {
      return maxKeyLength;
    }

    /** The value of key {@code s[from, to)}, or -1. */
    int get(String s, int from, int to) {
      int len = to - from;
      for (int i = hash(s, from, to) & mask; ; i = (i + 1) & mask) {
        String k = keys[i];
        if (k == null) {
          return -1;
        }
        if (k.length() == len && s.regionMatches(from, k, 0, len)) {
          return values[i];
        }
      }
    }

    private static int hash(String s, int from, int to) {
      int h = 0;
      for (int i = from; i < to; i++) {
        h = 31 * h + s.charAt(i);
      }
      return h ^ (h >>> 16) ^ (h >>> 7);
    }

    static final class Builder {
      private String[] keys;
      private int[] values;
      private int size;
      private int maxKeyLength;

      Builder(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 + 1)) << 1;
        keys = new String[cap];
        values = new int[cap];
      }

      void put(String key, int value) {
        if ((size + 1) * 2 > keys.length) {
          grow();
        }
        int mask = keys.length - 1;
        for (int i = hash(key, 0, key.length()) & mask; ; i = (i + 1) & mask) {
          if (keys[i] == null) {
            keys[i] = key;
            values[i] = value;
            size++;
            maxKeyLength = Math.max(maxKeyLength, key.length());
            return;
          }
          if (keys[i].equals(key)) {
            values[i] = value;
            return;
          }
        }
      }

      private void grow() {
        String[] oldKeys = keys;
        int[] oldValues = values;
        keys = new String[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
          if (oldKeys[i] != null) {
            put(oldKeys[i], oldValues[i]);
          }
        }
      }

      RegionTable build() {
        return new RegionTable(keys, values, maxKeyLength);
      }
    }
  }
}
