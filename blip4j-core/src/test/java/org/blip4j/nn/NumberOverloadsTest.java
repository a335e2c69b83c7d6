package org.blip4j.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No main class calls an arithmetic {@code NDArray} method with a {@code Number} argument
 * ({@code x.mul(2f)}, {@code x.maximum(0f)}, ...). DJL wraps the number in a tensor over a Java
 * direct buffer and closes it on return; when autograd saved that tensor for the backward pass, a
 * garbage collection in between frees its memory and the gradient reads garbage (the vision
 * warm-up's loss did this, and runs of one build parted at a random step). Graph code passes
 * {@link ParameterStore#scalar} constants, which libtorch owns. Allowed: comparisons (no gradient),
 * {@code clip} (the bounds go to libtorch as numbers) and {@code set} (an in-place copy, done on return).
 */
class NumberOverloadsTest {
  private static final Set<String> ALLOWED = Set.of("gt", "gte", "lt", "lte", "eq", "neq", "clip", "set");
  private static final Pattern CALL = Pattern.compile("Method ai/djl/ndarray/NDArray\\.(\\w+):\\(([^)]*)\\)");

  @Test
  void graphCodeNeverPassesJavaNumbersToNdArrayArithmetic() throws IOException, URISyntaxException {
    Path classes = Path.of(ParameterStore.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(classes)) {
      s.filter(p -> p.toString().endsWith(".class")).forEach(p -> files.add(p.toString()));
    }
    assertThat(files).as("compiled main classes under %s", classes).hasSizeGreaterThan(100);
    List<String> args = new ArrayList<>(List.of("-c", "-p"));
    args.addAll(files);
    StringWriter out = new StringWriter();
    int rc = ToolProvider.findFirst("javap").orElseThrow().run(new PrintWriter(out), new PrintWriter(new StringWriter()), args.toArray(String[]::new));
    assertThat(rc).isZero();
    Set<String> offending = new TreeSet<>();
    Set<String> seen = new TreeSet<>();
    String owner = "";
    for (String line : out.toString().split("\n")) {
      if (!line.startsWith(" ") && line.endsWith("{")) {
        owner = line.substring(0, line.length() - 1).strip();
      }
      Matcher m = CALL.matcher(line);
      while (m.find()) {
        seen.add(m.group(1));
        if (m.group(2).contains("Ljava/lang/Number;") && !ALLOWED.contains(m.group(1))) {
          offending.add(owner + ": NDArray." + m.group(1) + "(" + m.group(2) + ")");
        }
      }
    }
    assertThat(seen).as("javap output was parsed").contains("mul", "add");
    assertThat(offending).as("NDArray arithmetic with a Java number (use ParameterStore.scalar)").isEmpty();
  }
}
