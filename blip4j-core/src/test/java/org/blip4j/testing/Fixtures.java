package org.blip4j.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.blip4j.checkpoint.SafeTensors;

/**
 * The ONE way tests reach shared material: {@code <repository root>/../shared}. Surefire runs each
 * module's tests from the module folder, so the repository root is found by walking up to the
 * folder holding the parent {@code pom.xml} with a {@code .git} or {@code blip} launcher beside it.
 * Fails loudly when the folder is missing — parity tests never skip silently.
 */
public final class Fixtures {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path shared;

  private Fixtures() {}

  /** The repository root. */
  public static Path repoRoot() {
    Path p = Paths.get("").toAbsolutePath();
    for (Path q = p; q != null; q = q.getParent()) {
      if (Files.isRegularFile(q.resolve("pom.xml")) && Files.isDirectory(q.resolve("blip4j-core"))) {
        return q;
      }
    }
    throw new IllegalStateException("cannot find the blip4j repository root above " + p);
  }

  /** {@code <repo>/../shared}, or {@code $BLIP4J_SHARED} when set. */
  public static synchronized Path shared() {
    if (shared == null) {
      String env = System.getenv("BLIP4J_SHARED");
      Path p = env != null && !env.isBlank() ? Paths.get(env) : repoRoot().resolve("..").resolve("shared").normalize();
      if (!Files.isDirectory(p.resolve("fixtures"))) {
        throw new IllegalStateException(
            "shared test material not found at " + p + " (expected <repository root>/../shared/fixtures; set BLIP4J_SHARED to override)");
      }
      shared = p;
    }
    return shared;
  }

  /** A path under {@code shared/fixtures}. */
  public static Path fixture(String relative) {
    Path p = shared().resolve("fixtures").resolve(relative);
    if (!Files.exists(p)) {
      throw new IllegalStateException("fixture missing: " + p);
    }
    return p;
  }

  /** Parses a JSON fixture file. */
  public static JsonNode json(String relative) {
    try {
      return JSON.readTree(fixture(relative).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Opens a safetensors fixture file. */
  public static SafeTensors tensors(String relative) {
    try {
      return SafeTensors.open(fixture(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
