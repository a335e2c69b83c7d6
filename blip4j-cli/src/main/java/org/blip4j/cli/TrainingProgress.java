package org.blip4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import org.blip4j.train.StepRecord;
import org.blip4j.train.TrainingListener;

/** The console side of a training run: a progress bar in samples (rate, ETA, current losses) and checkpoint lines. */
final class TrainingProgress implements TrainingListener {
  private final int batch;
  private final PrintWriter err;
  private Progress progress;
  private long firstStep;
  private long lastShown;

  TrainingProgress(int batch, PrintWriter err) {
    this.batch = batch;
    this.err = err;
  }

  @Override
  public void started(long first, long total) {
    firstStep = first;
    progress = new Progress(first > 0 ? "resumed, training" : "training", "samples", total * batch, err, System.console() != null);
    if (first > 0) {
      err.printf(Locale.ROOT, "resuming at step %d of %d%n", first, total);
    }
  }

  @Override
  public void stepped(StepRecord r) {
    long now = System.nanoTime();
    if (now - lastShown > 1_000_000_000L || System.console() != null) {
      lastShown = now;
      StringBuilder note = new StringBuilder(String.format(Locale.ROOT, " | step %d epoch %d lr %.2e", r.step() + 1, r.epoch(), r.lr()));
      r.losses().forEach((k, v) -> note.append(String.format(Locale.ROOT, " %s %.3f", k, v)));
      progress.update((r.step() + 1) * batch, firstStep * batch, note.toString());
    }
  }

  @Override
  public void checkpointed(long step, Path dir) {
    if (System.console() == null) {
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
