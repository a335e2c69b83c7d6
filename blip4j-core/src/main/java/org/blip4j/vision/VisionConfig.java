package org.blip4j.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.blip4j.model.ConfigJson;

/**
 * Configuration of BLIP's ViT ({@code BlipVisionConfig}); missing keys take Hugging Face's defaults.
 * Note the LayerNorm epsilon: HF 1e-5, the original salesforce/BLIP ViT 1e-6.
 */
public record VisionConfig(
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int imageSize,
    int patchSize,
    double layerNormEps,
    String hiddenAct) {

  /** ViT-B/16 at {@code imageSize}, HF epsilon. */
  public static VisionConfig base(int imageSize) {
    return new VisionConfig(768, 3072, 12, 12, imageSize, 16, 1e-5, "gelu");
  }

  /** ViT-L/16 at {@code imageSize}, HF epsilon. */
  public static VisionConfig large(int imageSize) {
    return new VisionConfig(1024, 4096, 24, 16, imageSize, 16, 1e-5, "gelu");
  }

  /** Validates the configuration. */
  public VisionConfig {
    ConfigJson.require(hiddenSize > 0 && hiddenSize % numAttentionHeads == 0,
        "vision_config.hidden_size " + hiddenSize + " must be a positive multiple of num_attention_heads " + numAttentionHeads);
    ConfigJson.require(imageSize > 0 && patchSize > 0 && imageSize % patchSize == 0,
        "vision_config.image_size " + imageSize + " must be a positive multiple of patch_size " + patchSize);
    ConfigJson.require(numHiddenLayers > 0 && intermediateSize > 0, "vision_config needs num_hidden_layers > 0 and intermediate_size > 0");
  }

  /** The same ViT with another LayerNorm epsilon (original BLIP: 1e-6). */
  public VisionConfig withEps(double eps) {
    return new VisionConfig(hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, imageSize, patchSize, eps, hiddenAct);
  }

  /** The same ViT cut into {@code patchSize}-pixel patches (the position table follows the grid). */
  public VisionConfig withPatchSize(int patchSize) {
    return new VisionConfig(hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, imageSize, patchSize, layerNormEps, hiddenAct);
  }

  /** Number of patches per side. */
  public int gridSize() {
    return imageSize / patchSize;
  }

  /** Tokens per image: patches + [CLS]. */
  public int numPositions() {
    return gridSize() * gridSize() + 1;
  }

  /** Reads an HF {@code vision_config} object (absent keys → HF defaults). */
  public static VisionConfig fromJson(JsonNode n) {
    ConfigJson c = new ConfigJson(n, "vision_config");
    return new VisionConfig(
        c.intOr("hidden_size", 768),
        c.intOr("intermediate_size", 3072),
        c.intOr("num_hidden_layers", 12),
        c.intOr("num_attention_heads", 12),
        c.intOr("image_size", 384),
        c.intOr("patch_size", 16),
        c.doubleOr("layer_norm_eps", 1e-5),
        c.stringOr("hidden_act", "gelu"));
  }

  /** Writes the HF {@code vision_config} object (every key). */
  public void toJson(ObjectNode o) {
    o.put("hidden_size", hiddenSize);
    o.put("intermediate_size", intermediateSize);
    o.put("num_hidden_layers", numHiddenLayers);
    o.put("num_attention_heads", numAttentionHeads);
    o.put("image_size", imageSize);
    o.put("patch_size", patchSize);
    o.put("layer_norm_eps", layerNormEps);
    o.put("hidden_act", hiddenAct);
    o.put("model_type", "blip_vision_model");
  }
}
