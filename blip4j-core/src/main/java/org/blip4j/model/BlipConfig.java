package org.blip4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.blip4j.checkpoint.CheckpointException;
import org.blip4j.vision.VisionConfig;

/**
 * HF {@code BlipConfig}: vision and text configs plus the projection sizes. {@code config.json}
 * as written by {@code save_pretrained} lists only non-default keys; the rest take HF's defaults.
 */
public record BlipConfig(
    VisionConfig vision,
    TextConfig text,
    int projectionDim,
    int imageTextHiddenSize,
    double logitScaleInitValue,
    String architecture) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads {@code config.json}; errors name the file and key. */
  public static BlipConfig read(Path configJson) {
    if (!Files.isRegularFile(configJson)) {
      throw new CheckpointException("model config not found: " + configJson);
    }
    JsonNode root;
    try {
      root = JSON.readTree(configJson.toFile());
    } catch (IOException e) {
      throw new CheckpointException(configJson + ": not valid JSON: " + e.getMessage(), e);
    }
    try {
      return fromJson(root);
    } catch (CheckpointException e) {
      throw new CheckpointException(configJson + ": " + e.getMessage(), e);
    }
  }

  /** Parses a config object. */
  public static BlipConfig fromJson(JsonNode root) {
    ConfigJson c = new ConfigJson(root, "config");
    if (root == null || !root.isObject()) {
      throw new CheckpointException("config must be a JSON object");
    }
    String type = c.stringOr("model_type", "blip");
    if (!type.equals("blip")) {
      throw new CheckpointException("config.model_type is '" + type + "', expected 'blip'");
    }
    String arch = null;
    JsonNode archs = root.get("architectures");
    if (archs != null && archs.isArray() && archs.size() > 0) {
      arch = archs.get(0).asText();
    }
    return new BlipConfig(
        VisionConfig.fromJson(root.get("vision_config")),
        TextConfig.fromJson(root.get("text_config")),
        c.intOr("projection_dim", 512),
        c.intOr("image_text_hidden_size", 256),
        c.doubleOr("logit_scale_init_value", 2.6592),
        arch);
  }

  /** Full HF config object (every key written). */
  public ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    if (architecture != null) {
      o.putArray("architectures").add(architecture);
    }
    o.put("model_type", "blip");
    o.put("projection_dim", projectionDim);
    o.put("image_text_hidden_size", imageTextHiddenSize);
    o.put("logit_scale_init_value", logitScaleInitValue);
    o.put("initializer_factor", 1.0);
    o.put("initializer_range", 0.02);
    vision.toJson(o.putObject("vision_config"));
    text.toJson(o.putObject("text_config"));
    o.put("torch_dtype", "float32");
    o.put("transformers_version", "4.32.0");
    return o;
  }

  /** Writes {@code config.json}. */
  public void write(Path file) throws IOException {
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), toJson());
  }

  /** The same config with the ViT cut into {@code patchSize}-pixel patches. */
  public BlipConfig withPatchSize(int patchSize) {
    return new BlipConfig(vision.withPatchSize(patchSize), text, projectionDim, imageTextHiddenSize, logitScaleInitValue, architecture);
  }

  /** The same config with another architecture name. */
  public BlipConfig withArchitecture(String arch) {
    return new BlipConfig(vision, text, projectionDim, imageTextHiddenSize, logitScaleInitValue, arch);
  }

}
