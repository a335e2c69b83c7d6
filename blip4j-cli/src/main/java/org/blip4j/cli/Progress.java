package org.blip4j.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of a long job on stderr: items done/total, items/s and ETA. On a console it is one line
 * rewritten in place with {@code \r} (a {@link ConsoleLine}, which bars running at once may share);
 * otherwise (a log file, a pipe) one line per update.
 */
final class Progress {
  private final String verb;
  private final String unit;
  private final long total;
  private final PrintWriter err;
  private final ConsoleLine line; // null: not a console
  private final long start = System.nanoTime();

  Progress(String verb, int total, PrintWriter err) {
    this(verb, "images", total, err, System.console() != null);
  }

  Progress(String verb, int total, PrintWriter err, boolean console) {
    this(verb, "images", total, err, console);
  }

  Progress(String verb, String unit, long total, PrintWriter err, boolean console) {
    this(verb, unit, total, err, console ? new ConsoleLine(err) : null);
  }

  /** A bar on {@code line}, shared with other bars; {@code null}: one line per update on {@code err}. */
  Progress(String verb, String unit, long total, PrintWriter err, ConsoleLine line) {
    this.verb = verb;
    this.unit = unit;
    this.total = total;
    this.err = err;
    this.line = line;
  }

  /** Reports {@code done} of the total items finished. */
  void update(long done) {
    update(done, 0, "");
  }

  /**
   * Reports {@code done} of the total items finished, {@code since} of them before this job started
   * (a resumed run: they do not count towards the rate), and a trailing note.
   */
  void update(long done, long since, String note) {
    double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
    double rate = (done - since) / seconds;
    String eta = rate > 0 ? clock(Math.round((total - done) / rate)) : "?";
    String text = String.format(Locale.ROOT, "%s %d/%d %s, %.2f %s/s, ETA %s%s", verb, done, total, unit, rate, unit, eta, note);
    if (line != null) {
      line.show(this, text);
    } else {
      err.println(text);
      err.flush();
    }
  }

  /** Wipes the in-place bar so that another message can be printed. */
  void clear() {
    if (line != null) {
      line.remove(this);
    }
  }

  /** Ends the in-place bar, leaving its last state visible. */
  void finish() {
    if (line != null) {
      line.finish(this);
    }
  }

  static String clock(long seconds) {
    long h = seconds / 3600;
    long m = seconds / 60 % 60;
    long s = seconds % 60;
    return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
  }
}
