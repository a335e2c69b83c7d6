package org.blip4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.blip4j.checkpoint.CheckpointException;
import org.blip4j.checkpoint.SafeTensors;
import org.blip4j.data.loader.Cursor;
import org.blip4j.nn.Parameter;

/**
 * Training checkpoints under {@code <out>/checkpoints/step-NNNNNNNN/}:
 *
 * <ul>
 *   <li>{@code model.safetensors} — every distinct tensor of the model state under its first
 *       registered name: weights, momentum encoders, feature queues and their pointer, temperature;
 *   <li>{@code optimizer.safetensors} — AdamW's {@code exp_avg.<name>} and {@code exp_avg_sq.<name>};
 *   <li>{@code state.json} — the manifest: step, data cursor, optimiser step, seed (every random draw
 *       is derived from (seed, step) or (seed, epoch, sample), so the seed and step are the whole
 *       generator state), the learning rate, and the files.
 * </ul>
 *
 * A checkpoint is written into a hidden temporary directory and renamed into place, so a crash
 * leaves either the complete checkpoint or none; {@code state.json} is written last. Only the
 * newest {@code keepLast} are kept.
 */
public final class Checkpoints {
  /** Manifest format tag. */
  public static final String FORMAT = "blip4j-train-checkpoint/1";
  private static final Pattern NAME = Pattern.compile("step-(\\d{8,})");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * What a checkpoint's manifest records.
   *
   * @param step steps finished
   * @param cursor where the data loader stands after the last finished step
   * @param optimizerStep AdamW's step counter
   * @param seed the run's seed
   * @param lr learning rate of the last finished step
   */
  public record State(String format, long step, Cursor cursor, long optimizerStep, long seed, float lr) {}

  private final Path root;
  private final int keepLast;

  /** Checkpoints under {@code root} (created when first needed), keeping the newest {@code keepLast} (≥ 1). */
  public Checkpoints(Path root, int keepLast) {
    if (keepLast < 1) {
      throw new IllegalArgumentException("keep_last must be >= 1, got " + keepLast);
    }
    this.root = root;
    this.keepLast = keepLast;
  }

  /** The directory holding the checkpoints. */
  public Path root() {
    return root;
  }

  /** Complete checkpoints (those with a manifest), oldest first. */
  public List<Path> list() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p.resolve("state.json")))
          .sorted(Comparator.comparingLong(Checkpoints::stepOf)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints in " + root, e);
    }
  }

  /** The newest complete checkpoint. */
  public Optional<Path> latest() {
    List<Path> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  private static long stepOf(Path dir) {
    Matcher m = NAME.matcher(dir.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a checkpoint directory: " + dir);
    }
    return Long.parseLong(m.group(1));
  }

  /** Writes a checkpoint of {@code objective} after {@code state.step()} steps and prunes old ones. */
  public Path save(Objective<?> objective, State state) throws IOException {
    Files.createDirectories(root);
    String name = String.format("step-%08d", state.step());
    Path tmp = root.resolve("." + name + ".tmp");
    deleteTree(tmp);
    Files.createDirectories(tmp);
    Map<String, NDArray> model = new LinkedHashMap<>();
    objective.parameters().distinct().forEach((p, names) -> model.put(names.get(0), p.array()));
    SafeTensors.write(tmp.resolve("model.safetensors"), model, Map.of("format", "pt", "blip4j", "model state"));
    Map<String, NDArray> moments = new LinkedHashMap<>();
    Map<Parameter, List<String>> names = objective.parameters().distinct();
    for (Parameter p : objective.trainable()) {
      NDArray[] mv = objective.optimizer().moments(p);
      if (mv != null) {
        moments.put("exp_avg." + names.get(p).get(0), mv[0]);
        moments.put("exp_avg_sq." + names.get(p).get(0), mv[1]);
      }
    }
    SafeTensors.write(tmp.resolve("optimizer.safetensors"), moments, Map.of("format", "pt", "blip4j", "AdamW moments"));
    JSON.writeValue(tmp.resolve("state.json").toFile(), state);
    Path dir = root.resolve(name);
    deleteTree(dir);
    try {
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, dir);
    }
    List<Path> all = list();
    for (int i = 0; i < all.size() - keepLast; i++) {
      deleteTree(all.get(i));
    }
    return dir;
  }

  /** Reads a checkpoint's manifest. */
  public static State readState(Path dir) {
    Path file = dir.resolve("state.json");
    try {
      State s = JSON.readValue(file.toFile(), State.class);
      if (!FORMAT.equals(s.format())) {
        throw new CheckpointException(file + ": not a blip4j training checkpoint (format '" + s.format() + "', expected '" + FORMAT + "')");
      }
      if (s.cursor() == null) {
        throw new CheckpointException(file + ": no data cursor");
      }
      return s;
    } catch (IOException e) {
      throw new CheckpointException("cannot read checkpoint manifest " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Restores the model state and optimiser moments of {@code objective} in place (parameters keep
   * their identity and gradient flags) and returns the manifest. Every tensor of the model must be
   * present with its shape; anything missing or mis-shaped is named in the error.
   */
  public static State restore(Path dir, Objective<?> objective) {
    State state = readState(dir);
    List<String> problems = new ArrayList<>();
    Map<Parameter, List<String>> names = objective.parameters().distinct();
    try (NDManager tmp = objective.parameters().manager().newSubManager()) {
      SafeTensors model = SafeTensors.open(dir.resolve("model.safetensors"));
      SafeTensors moments = SafeTensors.open(dir.resolve("optimizer.safetensors"));
      names.forEach((p, n) -> copyInto(model, n.get(0), p.array(), tmp, problems));
      for (Parameter p : objective.trainable()) {
        String n = names.get(p).get(0);
        if (moments.contains("exp_avg." + n)) {
          NDArray[] mv = objective.optimizer().moments(p, true);
          copyInto(moments, "exp_avg." + n, mv[0], tmp, problems);
          copyInto(moments, "exp_avg_sq." + n, mv[1], tmp, problems);
        } else if (state.optimizerStep() > 0) {
          problems.add("optimizer moments of '" + n + "' missing");
        }
      }
    } catch (NoSuchFileException e) {
      throw new CheckpointException("checkpoint " + dir + " is incomplete: " + e.getFile() + " is missing", e);
    } catch (IOException e) {
      throw new CheckpointException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
    }
    if (!problems.isEmpty()) {
      throw new CheckpointException("checkpoint " + dir + " does not fit this model: " + String.join("; ", problems));
    }
    objective.optimizer().setStep(state.optimizerStep());
    return state;
  }

  private static void copyInto(SafeTensors file, String name, NDArray target, NDManager tmp, List<String> problems) {
    if (!file.contains(name)) {
      problems.add("'" + name + "' missing");
      return;
    }
    if (!Arrays.equals(file.shape(name), target.getShape().getShape())) {
      problems.add("'" + name + "' has shape " + Arrays.toString(file.shape(name)) + ", the model " + target.getShape());
      return;
    }
    NDArray src = file.toNDArray(tmp, name).toType(target.getDataType(), false);
    target.set(new NDIndex("..."), src);
  }

  /** Deletes {@code dir} and everything under it; nothing if it does not exist. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Writes {@code bytes} to a hidden temporary file beside {@code file} (parents created) and renames it into place. */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.write(tmp, bytes);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
