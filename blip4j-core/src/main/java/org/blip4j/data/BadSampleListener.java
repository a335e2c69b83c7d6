package org.blip4j.data;

/** Told about every skipped sample; readers never skip silently. Implementations must be thread-safe. */
@FunctionalInterface
public interface BadSampleListener {
  /**
   * Records one skipped sample.
   *
   * @param key the sample key, or {@code file:line} when the record was too broken to have one
   * @param reason the category
   * @param detail a human-readable explanation naming the file / member at fault
   */
  void onBadSample(String key, BadReason reason, String detail);
}
