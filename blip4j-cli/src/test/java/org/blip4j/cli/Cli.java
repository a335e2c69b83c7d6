package org.blip4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.blip4j.testing.Fixtures;
import picocli.CommandLine;

/** Runs {@code blip} in-process and captures what it prints; fixture paths and expected-id helpers. */
final class Cli {
  private static final ObjectMapper JSON = new ObjectMapper();

  static final Path ASTRONAUT = Fixtures.fixture("preprocess/images/astronaut.png");
  static final Path CHELSEA = Fixtures.fixture("preprocess/images/chelsea.png");

  private Cli() {}

  /** What one run returned and printed. */
  record Result(int exitCode, String out, String err) {
    /** Stdout parsed as one JSON object per line. */
    List<JsonNode> json() {
      List<JsonNode> lines = new ArrayList<>();
      for (String line : out.split("\n")) {
        if (!line.isBlank()) {
          try {
            lines.add(JSON.readTree(line));
          } catch (java.io.IOException e) {
            throw new UncheckedIOException("stdout line is not JSON: " + line, e);
          }
        }
      }
      return lines;
    }

    /** For assertion messages. */
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  static Result run(Object... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new BlipCommand()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    String[] a = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      a[i] = args[i].toString();
    }
    int rc = cmd.execute(a);
    return new Result(rc, out.toString(), err.toString());
  }

  /** A row of a fixture's {@code sequences} with its trailing [PAD] (0) ids removed. */
  static long[] expectedIds(JsonNode sequences, int row) {
    JsonNode r = sequences.get(row);
    int n = r.size();
    while (n > 0 && r.get(n - 1).asLong() == 0) {
      n--;
    }
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = r.get(i).asLong();
    }
    return ids;
  }

  /** A JSON array of integers. */
  static long[] longs(JsonNode array) {
    long[] v = new long[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = array.get(i).asLong();
    }
    return v;
  }
}
