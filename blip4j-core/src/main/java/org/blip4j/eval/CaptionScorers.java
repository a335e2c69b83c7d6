package org.blip4j.eval;

import java.util.List;

/** Input checks shared by the caption scorers (the {@code assert}s of pycocoevalcap's scorers). */
final class CaptionScorers {
  private CaptionScorers() {}

  static void checkAligned(List<? extends List<String>> references, List<String> candidates) {
    if (references.size() != candidates.size()) {
      throw new IllegalArgumentException(
          references.size() + " reference lists for " + candidates.size() + " candidates (one list per candidate expected)");
    }
    for (int i = 0; i < references.size(); i++) {
      if (references.get(i) == null || references.get(i).isEmpty()) {
        throw new IllegalArgumentException("image at index " + i + " has no reference caption");
      }
      if (candidates.get(i) == null) {
        throw new IllegalArgumentException("image at index " + i + " has no candidate caption");
      }
    }
  }
}
