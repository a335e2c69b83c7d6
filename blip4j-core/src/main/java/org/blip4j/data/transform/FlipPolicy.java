package org.blip4j.data.transform;

/** What a horizontal flip does when the caption mentions left or right. */
public enum FlipPolicy {
  /** Flip and swap the words left/right (leftmost/rightmost) so the caption stays true. */
  SWAP,
  /** Do not flip images whose caption mentions left or right. */
  SKIP
}
