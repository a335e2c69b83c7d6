package org.blip4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.blip4j.checkpoint.CheckpointException;
import org.blip4j.eval.EvalInputException;
import org.blip4j.generate.GenerationConfig;
import org.blip4j.image.ImageDecodeException;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.RgbImage;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What the task subcommands share, mixed into each: the {@code --model}, {@code --json} and
 * {@code --verbose} options, the output (one JSON object per line, or text), per-image error
 * reporting that lets the other images go on, decoding-option checks that name the option at fault,
 * and the mapping of failures to a one-line message and exit code 1.
 */
final class Common {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "Hugging Face model directory (config.json + model.safetensors or pytorch_model.bin), or an original salesforce/BLIP .pth.")
  Path model;

  @Option(names = "--med-config", paramLabel = "FILE",
      description = "With an original .pth model: the original code's BERT config (default: med_config.json beside the .pth).")
  Path medConfig;

  @Option(names = "--json", description = "Print one JSON object per result line on stdout.")
  boolean json;

  @Option(names = {"-v", "--verbose"}, description = "Print stack traces of errors (also: environment variable BLIP4J_DEBUG).")
  boolean verbose;

  private final ImageDecoder decoder = new ImageDecoder();
  private boolean failed;
  /** The progress line to wipe before printing, if one is shown. */
  Progress progress;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** A new JSON object for one result line. */
  ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** Prints one result object as one line. */
  void emit(ObjectNode o) {
    clearProgress();
    out().println(o.toString());
    out().flush();
  }

  /** Prints one human-readable result line. */
  void emit(String line) {
    clearProgress();
    out().println(line);
    out().flush();
  }

  /**
   * Decodes one image file; on failure prints {@code error: <file>: <reason>}, remembers that the
   * command must exit 1, and returns null so that the caller goes on with the other images.
   */
  RgbImage decodeOrReport(Path file) {
    try {
      return decoder.decode(file);
    } catch (ImageDecodeException e) {
      String prefix = "cannot decode image " + e.source() + ": ";
      String reason = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
      clearProgress();
      err().println("error: " + file + ": " + reason);
      if (debug()) {
        e.printStackTrace(err());
      }
      err().flush();
      failed = true;
      return null;
    }
  }

  private void clearProgress() {
    if (progress != null) {
      progress.clear();
    }
  }

  /** Puts generated ids as a JSON array, with the padding after [SEP] removed ({@link #trimPadding}). */
  static void putTokenIds(ObjectNode o, long[] ids, long sep, long pad) {
    var array = o.putArray("token_ids");
    for (long id : trimPadding(ids, sep, pad)) {
      array.add(id);
    }
  }

  /** Runs a subcommand body: exit 1 on failure (one message, a stack trace only when debugging), else 1 if an image failed. */
  int run(Callable<Integer> body) {
    try {
      int rc = body.call();
      return failed && rc == 0 ? 1 : rc;
    } catch (ParameterException e) {
      throw e; // picocli prints it with the usage and exits 2
    } catch (Exception e) {
      return report(e, err(), debug());
    }
  }

  private boolean debug() {
    return verbose || debugFromEnv();
  }

  /** Whether {@code BLIP4J_DEBUG} asks for stack traces. */
  static boolean debugFromEnv() {
    String v = System.getenv("BLIP4J_DEBUG");
    return v != null && !v.isBlank() && !v.equals("0") && !v.equalsIgnoreCase("false");
  }

  /** Prints {@code error: <message>} (and the stack trace when asked) and returns exit code 1. */
  static int report(Exception e, PrintWriter err, boolean stackTrace) {
    err.println("error: " + message(e));
    if (stackTrace) {
      e.printStackTrace(err);
    } else if (!(e instanceof CheckpointException || e instanceof IOException || e instanceof ImageDecodeException
        || e instanceof IllegalArgumentException || e instanceof EvalInputException)) {
      err.println("(set BLIP4J_DEBUG=1 or pass --verbose for the stack trace)");
    }
    err.flush();
    return 1;
  }

  private static String message(Exception e) {
    if (e instanceof NoSuchFileException f) {
      return "file not found: " + f.getFile();
    }
    if (e instanceof AccessDeniedException f) {
      return "permission denied: " + f.getFile();
    }
    if (e instanceof CheckpointException || e instanceof ImageDecodeException || e instanceof IllegalArgumentException
        || e instanceof EvalInputException) {
      return e.getMessage();
    }
    return e.getMessage() != null ? e.getClass().getSimpleName() + ": " + e.getMessage() : e.toString();
  }

  /** A usage error (exit 2) unless {@code ok}. */
  void require(boolean ok, String message) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(), message);
    }
  }

  /**
   * Checks decoding options by their option names, then builds the config; {@code numBeams == 1}
   * without sampling is greedy.
   */
  GenerationConfig generation(int maxLength, int minLength, int numBeams, float repetitionPenalty,
      boolean sample, float topP, int topK, float temperature, long seed, int numReturn) {
    require(numBeams >= 1, "--beams must be >= 1, got " + numBeams);
    require(maxLength >= 1, "--max-length must be >= 1, got " + maxLength);
    require(minLength >= 0, "--min-length must be >= 0, got " + minLength);
    require(minLength <= maxLength, "--min-length (" + minLength + ") must be <= --max-length (" + maxLength + ")");
    require(repetitionPenalty > 0, "--repetition-penalty must be > 0, got " + repetitionPenalty);
    require(topP > 0 && topP <= 1, "--top-p must be in (0, 1], got " + topP);
    require(topK >= 0, "--top-k must be >= 0 (0 = off), got " + topK);
    require(temperature > 0, "--temperature must be > 0, got " + temperature);
    require(numReturn >= 1, "--num-captions must be >= 1, got " + numReturn);
    require(sample || numBeams > 1 || numReturn == 1, "--num-captions " + numReturn + " needs --sample or --beams >= " + numReturn + " (greedy decoding gives one caption)");
    require(sample || numBeams == 1 || numReturn <= numBeams, "--num-captions (" + numReturn + ") must be <= --beams (" + numBeams + ")");
    try {
      return new GenerationConfig(maxLength, minLength, numBeams, repetitionPenalty, 1f, false, sample, topP, topK, temperature, seed, numReturn);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "invalid decoding options: " + e.getMessage());
    }
  }

  /**
   * The generated ids as shown to users: [DEC] ... [SEP] with the [PAD]s that batching appends after
   * [SEP] removed. A row without a final [SEP] (it hit the length limit) is returned unchanged.
   */
  static long[] trimPadding(long[] ids, long sep, long pad) {
    int n = ids.length;
    while (n > 0 && ids[n - 1] == pad) {
      n--;
    }
    return n > 0 && n < ids.length && ids[n - 1] == sep ? Arrays.copyOf(ids, n) : ids;
  }
}
