package org.blip4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The original ↔ HF key map reproduces every pair recorded by the fixture generator, both ways. */
class OriginalLayoutTest {
  @ParameterizedTest
  @ValueSource(strings = {"caption", "itm", "vqa"})
  void everyRecordedKeyMapsBothWays(String c) {
    JsonNode map = Fixtures.json("original/" + c + "/case.json").get("weights").get("original_key_to_hf_key");
    int checked = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String hf = e.getValue().asText();
      if (hf.contains(" ")) { // "(tied)" / "(buffer, ...)" entries: not plain renames
        continue;
      }
      assertThat(OriginalLayout.toHf(e.getKey())).as(e.getKey()).isEqualTo(hf);
      assertThat(OriginalLayout.toOriginal(hf)).as(hf).isEqualTo(e.getKey());
      checked++;
    }
    assertThat(checked).isGreaterThan(80);
    assertThat(OriginalLayout.toHf("visual_encoder_m.blocks.3.attn.proj.weight")).isEqualTo("vision_model_m.encoder.layers.3.self_attn.projection.weight");
  }
}
