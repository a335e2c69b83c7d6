package org.blip4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one console line that progress bars rewrite in place with {@code \r}. Bars of jobs that run at
 * once (the stages of {@code blip reproduce}) share one: the line shows every running bar's latest
 * state, in the order the bars started, joined by {@code " | "} and each cut to its share of the
 * width, so that the line never wraps (a wrapped line cannot be rewritten in place). A bar that
 * finishes leaves its last state on a line of its own; messages are printed above the line. A bar
 * alone keeps its whole text. Thread-safe.
 */
final class ConsoleLine {
  static final String SEPARATOR = " | ";

  private final PrintWriter err;
  private final int width;
  private final Map<Object, String> bars = new LinkedHashMap<>();
  private int shown; // length of the line currently on the console, 0 if none

  /** A line as wide as the terminal says ({@code COLUMNS}), else 120 columns. */
  ConsoleLine(PrintWriter err) {
    this(err, columns());
  }

  ConsoleLine(PrintWriter err, int width) {
    this.err = err;
    this.width = width;
  }

  private static int columns() {
    try {
      int c = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", ""));
      return c >= 40 ? c - 1 : 120;
    } catch (NumberFormatException notSet) {
      return 120;
    }
  }

  /** Shows {@code text} as {@code bar}'s state. */
  synchronized void show(Object bar, String text) {
    bars.put(bar, text);
    draw();
  }

  /** Ends {@code bar}: its last state stays visible on a line of its own; the other bars are redrawn below it. */
  synchronized void finish(Object bar) {
    String last = bars.remove(bar);
    if (last == null) {
      return;
    }
    if (bars.isEmpty() && shown > 0) {
      err.println(); // the line shows this bar alone: leave it where it is
      shown = 0;
    } else {
      wipe();
      err.println(last);
      draw();
    }
    err.flush();
  }

  /** Removes {@code bar} without leaving its state on screen. */
  synchronized void remove(Object bar) {
    if (bars.remove(bar) != null) {
      wipe();
      draw();
      err.flush();
    }
  }

  /** Prints {@code message} on a line of its own above the bars. */
  synchronized void println(String message) {
    wipe();
    err.println(message);
    draw();
    err.flush();
  }

  /** Prints {@code message} on a line of its own: above the bars of {@code line}, or on {@code err} when there is no console line. */
  static void println(ConsoleLine line, PrintWriter err, String message) {
    if (line != null) {
      line.println(message);
    } else {
      err.println(message);
      err.flush();
    }
  }

  private void draw() {
    if (bars.isEmpty()) {
      return;
    }
    String line = compose();
    err.print("\r" + line + " ".repeat(Math.max(0, shown - line.length())));
    shown = line.length();
    err.flush();
  }

  private String compose() {
    if (bars.size() == 1) {
      return bars.values().iterator().next();
    }
    int each = Math.max(12, (width - SEPARATOR.length() * (bars.size() - 1)) / bars.size());
    List<String> parts = new ArrayList<>();
    for (String text : bars.values()) {
      parts.add(text.length() <= each ? text : text.substring(0, each - 1) + "…");
    }
    return String.join(SEPARATOR, parts);
  }

  private void wipe() {
    if (shown > 0) {
      err.print("\r" + " ".repeat(shown) + "\r");
      shown = 0;
    }
  }
}
