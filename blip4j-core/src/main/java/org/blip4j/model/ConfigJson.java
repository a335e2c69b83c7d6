package org.blip4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.blip4j.checkpoint.CheckpointException;

/** Typed reads of an HF config object with defaults, failing with the key path on a wrong type. */
public final class ConfigJson {
  private final JsonNode node;
  private final String where;

  /** Wraps {@code node} (may be null = all defaults); {@code where} names it in errors. */
  public ConfigJson(JsonNode node, String where) {
    if (node != null && !node.isNull() && !node.isObject()) {
      throw new CheckpointException(where + " must be a JSON object, got " + node.getNodeType());
    }
    this.node = node;
    this.where = where;
  }

  private JsonNode get(String key) {
    JsonNode v = node == null ? null : node.get(key);
    return v == null || v.isNull() ? null : v;
  }

  /** An integer value or the default. */
  public int intOr(String key, int dflt) {
    JsonNode v = get(key);
    if (v == null) {
      return dflt;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new CheckpointException(where + "." + key + " must be an integer, got " + v);
    }
    return v.intValue();
  }

  /** A number or the default. */
  public double doubleOr(String key, double dflt) {
    JsonNode v = get(key);
    if (v == null) {
      return dflt;
    }
    if (!v.isNumber()) {
      throw new CheckpointException(where + "." + key + " must be a number, got " + v);
    }
    return v.doubleValue();
  }

  /** A string or the default. */
  public String stringOr(String key, String dflt) {
    JsonNode v = get(key);
    if (v == null) {
      return dflt;
    }
    if (!v.isTextual()) {
      throw new CheckpointException(where + "." + key + " must be a string, got " + v);
    }
    return v.asText();
  }

  /** A boolean or the default. */
  public boolean boolOr(String key, boolean dflt) {
    JsonNode v = get(key);
    if (v == null) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw new CheckpointException(where + "." + key + " must be true/false, got " + v);
    }
    return v.booleanValue();
  }

  /** Throws a {@link CheckpointException} with {@code message} unless {@code ok}. */
  public static void require(boolean ok, String message) {
    if (!ok) {
      throw new CheckpointException("invalid config: " + message);
    }
  }
}
