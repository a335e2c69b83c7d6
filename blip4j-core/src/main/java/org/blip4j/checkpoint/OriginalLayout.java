package org.blip4j.checkpoint;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * THE key map between the original salesforce/BLIP state-dict layout and ours (HF names). Only the
 * ViT differs (timm's {@code visual_encoder.blocks.N.attn.qkv} ↔ HF's
 * {@code vision_model.encoder.layers.N.self_attn.qkv}); the momentum ViT {@code visual_encoder_m}
 * maps to {@code vision_model_m} the same way. Text keys ({@code text_encoder.*},
 * {@code text_decoder.*}, heads, projections, queues) are the same in both layouts.
 */
public final class OriginalLayout {
  private OriginalLayout() {}

  /** Original suffix (after {@code visual_encoder.}) ↔ HF suffix (after {@code vision_model.}); $N are the shared groups. */
  private static final String[][] VIT = {
    // original regex,                          original template,          HF regex,                                        HF template
    {"cls_token", "cls_token", "embeddings\\.class_embedding", "embeddings.class_embedding"},
    {"pos_embed", "pos_embed", "embeddings\\.position_embedding", "embeddings.position_embedding"},
    {"patch_embed\\.proj\\.(\\w+)", "patch_embed.proj.$1", "embeddings\\.patch_embedding\\.(\\w+)", "embeddings.patch_embedding.$1"},
    {"blocks\\.(\\d+)\\.norm1\\.(\\w+)", "blocks.$1.norm1.$2", "encoder\\.layers\\.(\\d+)\\.layer_norm1\\.(\\w+)", "encoder.layers.$1.layer_norm1.$2"},
    {"blocks\\.(\\d+)\\.norm2\\.(\\w+)", "blocks.$1.norm2.$2", "encoder\\.layers\\.(\\d+)\\.layer_norm2\\.(\\w+)", "encoder.layers.$1.layer_norm2.$2"},
    {"blocks\\.(\\d+)\\.attn\\.qkv\\.(\\w+)", "blocks.$1.attn.qkv.$2", "encoder\\.layers\\.(\\d+)\\.self_attn\\.qkv\\.(\\w+)", "encoder.layers.$1.self_attn.qkv.$2"},
    {"blocks\\.(\\d+)\\.attn\\.proj\\.(\\w+)", "blocks.$1.attn.proj.$2", "encoder\\.layers\\.(\\d+)\\.self_attn\\.projection\\.(\\w+)", "encoder.layers.$1.self_attn.projection.$2"},
    {"blocks\\.(\\d+)\\.mlp\\.(fc\\d)\\.(\\w+)", "blocks.$1.mlp.$2.$3", "encoder\\.layers\\.(\\d+)\\.mlp\\.(fc\\d)\\.(\\w+)", "encoder.layers.$1.mlp.$2.$3"},
    {"norm\\.(\\w+)", "norm.$1", "post_layernorm\\.(\\w+)", "post_layernorm.$1"},
  };

  private static final Pattern ORIGINAL_VIT = Pattern.compile("visual_encoder(_m)?\\.(.+)");
  private static final Pattern HF_VIT = Pattern.compile("vision_model(_m)?\\.(.+)");

  /** The HF/our name of an original key (identity outside the ViT). */
  public static String toHf(String originalKey) {
    return map(originalKey, ORIGINAL_VIT, "vision_model", 0, 3);
  }

  /** The original name of an HF/our key (identity outside the ViT). */
  public static String toOriginal(String hfKey) {
    return map(hfKey, HF_VIT, "visual_encoder", 2, 1);
  }

  private static String map(String key, Pattern prefix, String newPrefix, int fromRegex, int toTemplate) {
    Matcher m = prefix.matcher(key);
    if (!m.matches()) {
      return key;
    }
    for (String[] rule : VIT) {
      Matcher r = Pattern.compile(rule[fromRegex]).matcher(m.group(2));
      if (r.matches()) {
        return newPrefix + (m.group(1) == null ? "" : "_m") + "." + r.replaceFirst(rule[toTemplate]);
      }
    }
    return key;
  }
}
