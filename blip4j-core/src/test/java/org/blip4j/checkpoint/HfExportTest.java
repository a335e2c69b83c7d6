package org.blip4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.blip4j.model.BlipPretrainedModel;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * What we write for HF is what HF itself wrote: every key of our config.json has the value of the
 * same key in the fixture's {@code config_full.json} (HF's {@code to_dict()}), and the safetensors
 * keys are exactly the HF file's.
 */
class HfExportTest {
  @ParameterizedTest
  @ValueSource(strings = {"caption", "retrieval", "vqa"})
  void savedConfigAndKeysAgreeWithHf(String c, @TempDir Path dir) throws Exception {
    try (NDManager m = NDManager.newBaseManager(); BlipPretrainedModel model = ModelDirectory.load(Fixtures.fixture(c), m)) {
      ModelDirectory.save(model, dir);
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode ours = json.readTree(dir.resolve("config.json").toFile());
    JsonNode hf = Fixtures.json(c + "/config_full.json");
    int compared = compare(ours, hf, "");
    assertThat(compared).isGreaterThan(25);
    assertThat(SafeTensors.open(dir.resolve("model.safetensors")).names())
        .containsExactlyInAnyOrderElementsOf(Fixtures.tensors(c + "/model.safetensors").names());
  }

  private static int compare(JsonNode ours, JsonNode hf, String path) {
    int n = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = ours.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = path + e.getKey();
      if (key.equals("transformers_version")) {
        continue;
      }
      assertThat(hf.has(e.getKey())).as("HF config has %s", key).isTrue();
      JsonNode theirs = hf.get(e.getKey());
      if (e.getValue().isObject()) {
        n += compare(e.getValue(), theirs, key + ".");
      } else if (e.getValue().isNumber()) {
        assertThat(e.getValue().doubleValue()).as(key).isEqualTo(theirs.doubleValue());
        n++;
      } else {
        assertThat(e.getValue()).as(key).isEqualTo(theirs);
        n++;
      }
    }
    return n;
  }
}
