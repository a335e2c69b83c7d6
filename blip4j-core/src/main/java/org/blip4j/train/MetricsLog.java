package org.blip4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per logged step —
 * {@code {"step", "epoch", "lr", <loss name>: value …, "grad_norm", "samples_per_s"}}, flushed
 * line by line. Opened for a resumed run it first drops the lines of steps after the checkpoint
 * (they will be run again), so the file never holds a step twice.
 */
public final class MetricsLog implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final BufferedWriter out;
  private final List<StepRecord> history;

  private MetricsLog(Path file, List<StepRecord> kept) throws IOException {
    this.file = file;
    this.history = new ArrayList<>(kept);
    this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** Opens {@code file}, keeping only the lines of steps before {@code firstStep}. */
  public static MetricsLog open(Path file, long firstStep) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    List<StepRecord> kept = new ArrayList<>();
    if (Files.exists(file)) {
      List<String> lines = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n;
        try {
          n = JSON.readTree(line);
        } catch (IOException e) {
          break; // a line cut short by a crash: it and anything after it are dropped
        }
        if (n.path("step").asLong(Long.MAX_VALUE) >= firstStep) {
          continue;
        }
        lines.add(line);
        kept.add(parse(n));
      }
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, lines, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    return new MetricsLog(file, kept);
  }

  private static StepRecord parse(JsonNode n) {
    Map<String, Double> losses = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> {
      String k = e.getKey();
      if (!List.of("step", "epoch", "lr", "grad_norm", "samples", "seconds", "samples_per_s").contains(k) && e.getValue().isNumber()) {
        losses.put(k, e.getValue().asDouble());
      }
    });
    return new StepRecord(n.path("step").asLong(), n.path("epoch").asLong(), (float) n.path("lr").asDouble(), losses,
        n.path("grad_norm").asDouble(), n.path("samples").asInt(), n.path("seconds").asDouble());
  }

  /** Appends one step. */
  public void append(StepRecord r) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("step", r.step());
    n.put("epoch", r.epoch());
    n.put("lr", r.lr());
    r.losses().forEach(n::put);
    n.put("grad_norm", r.gradNorm());
    n.put("samples", r.samples());
    n.put("seconds", r.seconds());
    n.put("samples_per_s", r.seconds() > 0 ? r.samples() / r.seconds() : 0);
    out.write(JSON.writeValueAsString(n));
    out.write('\n');
    out.flush();
    history.add(r);
  }

  /** Every step in the file, oldest first. */
  public List<StepRecord> history() {
    return List.copyOf(history);
  }

  /** The file. */
  public Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
