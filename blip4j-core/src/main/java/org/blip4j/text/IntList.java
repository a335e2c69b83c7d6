package org.blip4j.text;

import java.util.Arrays;

/** A growable {@code int} array without boxing; the tokenizer's scratch buffer for token ids. */
final class IntList {
  private int[] data;
  private int size;

  IntList(int capacity) {
    data = new int[Math.max(4, capacity)];
  }

  void add(int v) {
    if (size == data.length) {
      data = Arrays.copyOf(data, data.length * 2);
    }
    data[size++] = v;
  }

  int size() {
    return size;
  }

  int get(int i) {
    return data[i];
  }

  /** Drops everything from index {@code newSize} on. */
  void truncate(int newSize) {
    size = newSize;
  }

  int[] toArray() {
    return Arrays.copyOf(data, size);
  }
}
