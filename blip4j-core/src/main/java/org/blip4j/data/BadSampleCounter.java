package org.blip4j.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread-safe {@link BadSampleListener} that counts skipped samples by reason, keeps the first
 * {@code maxKept} of them (key, reason, detail) and logs each one at WARN.
 */
public final class BadSampleCounter implements BadSampleListener {
  private static final Logger LOG = LoggerFactory.getLogger(BadSampleCounter.class);

  /** One skipped sample. */
  public record BadSample(String key, BadReason reason, String detail) {}

  private final AtomicLongArray counts = new AtomicLongArray(BadReason.values().length);
  private final List<BadSample> kept = new ArrayList<>();
  private final int maxKept;

  /** Keeps up to 10 000 bad samples for inspection. */
  public BadSampleCounter() {
    this(10_000);
  }

  /** Keeps up to {@code maxKept} bad samples for inspection (counts are always complete). */
  public BadSampleCounter(int maxKept) {
    this.maxKept = maxKept;
  }

  @Override
  public void onBadSample(String key, BadReason reason, String detail) {
    counts.incrementAndGet(reason.ordinal());
    synchronized (kept) {
      if (kept.size() < maxKept) {
        kept.add(new BadSample(key, reason, detail));
      }
    }
    LOG.warn("skipping sample {}: {} ({})", key, reason, detail);
  }

  /** How many samples were skipped for {@code reason}. */
  public long count(BadReason reason) {
    return counts.get(reason.ordinal());
  }

  /** Total skipped samples. */
  public long total() {
    long t = 0;
    for (int i = 0; i < counts.length(); i++) {
      t += counts.get(i);
    }
    return t;
  }

  /** Non-zero counts by reason, in enum order. */
  public Map<BadReason, Long> counts() {
    Map<BadReason, Long> m = new EnumMap<>(BadReason.class);
    for (BadReason r : BadReason.values()) {
      if (count(r) > 0) {
        m.put(r, count(r));
      }
    }
    return m;
  }

  /** The first {@code maxKept} skipped samples, in the order reported. */
  public List<BadSample> samples() {
    synchronized (kept) {
      return Collections.unmodifiableList(new ArrayList<>(kept));
    }
  }

  /** One line, e.g. {@code "3 bad samples skipped: MISSING_IMAGE=1, EMPTY_CAPTION=2"}. */
  public String summary() {
    StringBuilder sb = new StringBuilder().append(total()).append(" bad samples skipped");
    String sep = ": ";
    for (Map.Entry<BadReason, Long> e : counts().entrySet()) {
      sb.append(sep).append(e.getKey()).append('=').append(e.getValue());
      sep = ", ";
    }
    return sb.toString();
  }
}
