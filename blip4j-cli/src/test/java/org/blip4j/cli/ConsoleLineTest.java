package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleLineTest {

  /** What a terminal shows after {@code out}: {@code \r} returns to column 0 and overwrites, {@code \n} ends a line; trailing blanks trimmed. */
  static List<String> screen(String out) {
    List<String> lines = new ArrayList<>();
    StringBuilder row = new StringBuilder();
    int col = 0;
    for (char c : out.toCharArray()) {
      if (c == '\r') {
        col = 0;
      } else if (c == '\n') {
        lines.add(row.toString().stripTrailing());
        row.setLength(0);
        col = 0;
      } else {
        if (col < row.length()) {
          row.setCharAt(col, c);
        } else {
          row.append(c);
        }
        col++;
      }
    }
    lines.add(row.toString().stripTrailing());
    return lines;
  }

  @Test
  void barsRunningAtOnceShareTheLineAndNeverOverwriteEachOther() {
    StringWriter out = new StringWriter();
    PrintWriter err = new PrintWriter(out, true);
    ConsoleLine line = new ConsoleLine(err, 60);
    Progress a = new Progress("filter training", "samples", 100, err, line);
    Progress b = new Progress("captioner training", "samples", 100, err, line);
    a.update(10);
    b.update(20);
    assertThat(screen(out.toString())).hasSize(1);
    String shared = screen(out.toString()).get(0);
    assertThat(shared).startsWith("filter training 10/100").contains(ConsoleLine.SEPARATOR + "captioner training 20/100").hasSizeLessThanOrEqualTo(60);

    line.println("== captioner: finished");
    b.update(100);
    b.finish();
    a.update(50);
    List<String> shown = screen(out.toString());
    assertThat(shown).hasSize(3);
    assertThat(shown.get(0)).isEqualTo("== captioner: finished");
    assertThat(shown.get(1)).startsWith("captioner training 100/100 samples").doesNotContain("filter");
    assertThat(shown.get(2)).startsWith("filter training 50/100 samples").doesNotContain(ConsoleLine.SEPARATOR).doesNotContain("captioner");

    a.finish();
    assertThat(screen(out.toString())).hasSize(4).last().isEqualTo("");
    assertThat(screen(out.toString()).get(2)).startsWith("filter training 50/100 samples");
  }

  @Test
  void aBarAloneKeepsItsWholeTextAndIsRemovedWithoutATrace() {
    StringWriter out = new StringWriter();
    PrintWriter err = new PrintWriter(out, true);
    ConsoleLine line = new ConsoleLine(err, 40);
    Progress a = new Progress("a bar with a rather long name indeed", "samples", 1000, err, line);
    a.update(1);
    assertThat(screen(out.toString()).get(0)).startsWith("a bar with a rather long name indeed 1/1000 samples").hasSizeGreaterThan(40);
    a.clear();
    line.println("message");
    assertThat(screen(out.toString())).containsExactly("message", "");
  }
}
