package org.blip4j.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Strict JSON access for the evaluation readers: every failure names the file and the field. */
final class EvalJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private EvalJson() {}

  static JsonNode read(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new EvalInputException(what + " not found: " + file);
    }
    try {
      return MAPPER.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new EvalInputException("malformed JSON in " + what + " " + file + ": " + e.getOriginalMessage(), e);
    } catch (NoSuchFileException e) {
      throw new EvalInputException(what + " not found: " + file, e);
    } catch (IOException e) {
      throw new EvalInputException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
    }
  }

  static JsonNode array(JsonNode parent, String field, Path file) {
    JsonNode n = parent.get(field);
    if (n == null || !n.isArray()) {
      throw new EvalInputException(file + ": expected an array \"" + field + "\"");
    }
    return n;
  }

  static void requireArray(JsonNode n, Path file) {
    if (!n.isArray()) {
      throw new EvalInputException(file + ": expected a JSON array of objects at the top level");
    }
  }

  static long id(JsonNode record, String field, Path file, int index) {
    JsonNode n = record.get(field);
    if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
      throw new EvalInputException(file + ": record " + index + " needs an integer \"" + field + "\", got " + n);
    }
    return n.asLong();
  }

  static String text(JsonNode record, String field, Path file, int index) {
    JsonNode n = record.get(field);
    if (n == null || !n.isTextual()) {
      throw new EvalInputException(file + ": record " + index + " needs a string \"" + field + "\", got " + n);
    }
    return n.asText();
  }
}
