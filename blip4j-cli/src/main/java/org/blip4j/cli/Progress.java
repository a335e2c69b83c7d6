package org.blip4j.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of a long job on stderr: items done/total, items/s and ETA. On a console it is one line
 * rewritten in place with {@code \r}; otherwise (a log file, a pipe) one line per update.
 */
final class Progress {
  private final String verb;
  private final String unit;
  private final long total;
  private final PrintWriter err;
  private final boolean console;
  private final long start = System.nanoTime();
  private int shown; // length of the line currently on the console, 0 if none

  Progress(String verb, int total, PrintWriter err) {
    this(verb, "images", total, err, System.console() != null);
  }

  Progress(String verb, int total, PrintWriter err, boolean console) {
    this(verb, "images", total, err, console);
  }

  Progress(String verb, String unit, long total, PrintWriter err, boolean console) {
    this.verb = verb;
    this.unit = unit;
    this.total = total;
    this.err = err;
    this.console = console;
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
    String line = String.format(Locale.ROOT, "%s %d/%d %s, %.2f %s/s, ETA %s%s", verb, done, total, unit, rate, unit, eta, note);
    if (console) {
      err.print("\r" + line + " ".repeat(Math.max(0, shown - line.length())));
      shown = line.length();
    } else {
      err.println(line);
    }
    err.flush();
  }

  /** Wipes the in-place line so that another message can be printed. */
  void clear() {
    if (shown > 0) {
      err.print("\r" + " ".repeat(shown) + "\r");
      err.flush();
      shown = 0;
    }
  }

  /** Ends the in-place line, leaving the last state visible. */
  void finish() {
    if (shown > 0) {
      err.println();
      err.flush();
      shown = 0;
    }
  }

  static String clock(long seconds) {
    long h = seconds / 3600;
    long m = seconds / 60 % 60;
    long s = seconds % 60;
    return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
  }
}
