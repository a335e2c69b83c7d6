package org.blip4j.eval;

import java.util.Map;
import org.blip4j.data.BadReason;

/** What every evaluation reports: the metrics under the reference code's names, and how many samples counted. */
public interface EvalResult {
  /** Metric name to value, in the order the reference code reports them. */
  Map<String, Double> metrics();

  /** Samples evaluated (images for retrieval and captioning, questions for VQA, pairs for NLVR). */
  int n();

  /** Samples skipped as bad (unreadable image, malformed record, ...), by reason; see the log for each. */
  Map<BadReason, Long> skippedByReason();

  /** Total samples skipped. */
  default long skipped() {
    return skippedByReason().values().stream().mapToLong(Long::longValue).sum();
  }
}
