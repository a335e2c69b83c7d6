package org.blip4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Configuration of the MED text transformer ({@code BlipTextConfig}); missing keys take HF defaults
 * (note HF's default of 8 heads: real BLIP checkpoints list 12 explicitly).
 */
public record TextConfig(
    int vocabSize,
    int hiddenSize,
    int encoderHiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int maxPositionEmbeddings,
    double layerNormEps,
    String hiddenAct,
    int bosTokenId,
    int padTokenId,
    int eosTokenId,
    int sepTokenId) {

  /** Validates the configuration. */
  public TextConfig {
    ConfigJson.require(hiddenSize > 0 && numAttentionHeads > 0 && hiddenSize % numAttentionHeads == 0,
        "text_config.hidden_size " + hiddenSize + " must be a positive multiple of num_attention_heads " + numAttentionHeads);
    ConfigJson.require(vocabSize > 0 && numHiddenLayers > 0 && maxPositionEmbeddings > 0 && intermediateSize > 0 && encoderHiddenSize > 0,
        "text_config needs positive vocab_size, num_hidden_layers, max_position_embeddings, intermediate_size, encoder_hidden_size");
  }

  /** BERT-base as in BLIP (12 layers, 12 heads, 768 wide) cross-attending to {@code encoderHidden}-wide image tokens. */
  public static TextConfig base(int encoderHidden) {
    return new TextConfig(30524, 768, encoderHidden, 3072, 12, 12, 512, 1e-12, "gelu", 30522, 0, 2, 102);
  }

  /** Reads an HF {@code text_config} object. */
  public static TextConfig fromJson(JsonNode n) {
    ConfigJson c = new ConfigJson(n, "text_config");
    return new TextConfig(
        c.intOr("vocab_size", 30524),
        c.intOr("hidden_size", 768),
        c.intOr("encoder_hidden_size", 768),
        c.intOr("intermediate_size", 3072),
        c.intOr("num_hidden_layers", 12),
        c.intOr("num_attention_heads", 8),
        c.intOr("max_position_embeddings", 512),
        c.doubleOr("layer_norm_eps", 1e-12),
        c.stringOr("hidden_act", "gelu"),
        c.intOr("bos_token_id", 30522),
        c.intOr("pad_token_id", 0),
        c.intOr("eos_token_id", 2),
        c.intOr("sep_token_id", 102));
  }

  /** Writes the HF {@code text_config} object (every key). */
  public void toJson(ObjectNode o) {
    o.put("vocab_size", vocabSize);
    o.put("hidden_size", hiddenSize);
    o.put("encoder_hidden_size", encoderHiddenSize);
    o.put("intermediate_size", intermediateSize);
    o.put("num_hidden_layers", numHiddenLayers);
    o.put("num_attention_heads", numAttentionHeads);
    o.put("max_position_embeddings", maxPositionEmbeddings);
    o.put("layer_norm_eps", layerNormEps);
    o.put("hidden_act", hiddenAct);
    o.put("bos_token_id", bosTokenId);
    o.put("pad_token_id", padTokenId);
    o.put("eos_token_id", eosTokenId);
    o.put("sep_token_id", sepTokenId);
    o.put("is_decoder", true);
    o.put("model_type", "blip_text_model");
  }
}
