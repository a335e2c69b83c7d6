package org.blip4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import org.blip4j.train.StepRecord;
import org.blip4j.train.TrainingListener;

/**
 * The console side of a training run: a progress bar in samples (rate, ETA, current losses) and
 * checkpoint lines. A run may have several phases (pre-training after its vision warm-up); each
 * {@code started} begins a new bar, sized with the batch of that phase's first step.
 */
final class TrainingProgress implements TrainingListener {
  private final PrintWriter err;
  private final String label;
  private final ConsoleLine line; // null: not a console
  private Progress progress;
  private long firstStep;
  private long totalSteps;
  private int batch;
  private long lastShown;

  TrainingProgress(PrintWriter err) {
    this(err, "training");
  }

  /** Bars named {@code label} ("training" above). */
  TrainingProgress(PrintWriter err, String label) {
    this(err, label, System.console() != null ? new ConsoleLine(err) : null);
  }

  /** Bars named {@code label} on {@code line}, which the bars of other jobs may share; {@code null}: not a console. */
  TrainingProgress(PrintWriter err, String label, ConsoleLine line) {
    this.err = err;
    this.label = label;
    this.line = line;
  }

  @Override
  public void started(long first, long total) {
    finish();
    progress = null;
    firstStep = first;
    totalSteps = total;
    if (first > 0) {
      ConsoleLine.println(line, err, String.format(Locale.ROOT, "%s: resuming at step %d of %d", label, first, total));
    }
  }

  @Override
  public void stepped(StepRecord r) {
    if (progress == null) {
      batch = r.samples();
      progress = new Progress(firstStep > 0 ? "resumed, " + label : label, "samples", totalSteps * batch, err, line);
    }
    long now = System.nanoTime();
    if (now - lastShown > 1_000_000_000L || line != null) {
      lastShown = now;
      StringBuilder note = new StringBuilder(String.format(Locale.ROOT, " | step %d epoch %d lr %.2e", r.step() + 1, r.epoch(), r.lr()));
      r.losses().forEach((k, v) -> note.append(String.format(Locale.ROOT, " %s %.3f", k, v)));
      progress.update((r.step() + 1) * batch, firstStep * batch, note.toString());
    }
  }

  @Override
  public void checkpointed(long step, Path dir) {
    if (line == null) {
      err.println("checkpoint " + dir);
    }
  }

  /** Ends the progress line. */
  void finish() {
    if (progress != null) {
      progress.finish();
    }
  }
}
