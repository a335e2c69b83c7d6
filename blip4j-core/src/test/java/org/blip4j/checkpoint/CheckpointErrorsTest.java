package org.blip4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.BlipContrastiveModel;
import org.blip4j.model.BlipPretrainedModel;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad model directories and safetensors files fail with errors naming the file and key at fault. */
class CheckpointErrorsTest {
  static NDManager manager;

  @BeforeAll
  static void init() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  /** A copy of the retrieval fixture (smallest) whose tensors pass through {@code edit}. */
  static Path modelDir(Path dir, java.util.function.Consumer<Map<String, NDArray>> edit) throws IOException {
    Files.copy(Fixtures.fixture("retrieval/config.json"), dir.resolve("config.json"));
    SafeTensors src = Fixtures.tensors("retrieval/model.safetensors");
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    for (String name : src.entries().keySet()) {
      tensors.put(name, src.toNDArray(manager, name));
    }
    edit.accept(tensors);
    SafeTensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
    return dir;
  }

  @Test
  void missingUnexpectedAndMisShapedKeysAreListedTogether(@TempDir Path dir) throws Exception {
    modelDir(dir, t -> {
      t.remove("itm_head.bias");
      t.put("extra.weight", manager.zeros(new ai.djl.ndarray.types.Shape(2)));
      t.put("text_proj.weight", t.get("text_proj.weight").reshape(16, 96));
      t.put("text_encoder.embeddings.position_ids", manager.arange(64L)); // buffers are ignored
    });
    assertThatThrownBy(() -> ModelDirectory.load(dir, manager))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("model.safetensors")
        .hasMessageContaining("missing keys (1)")
        .hasMessageContaining("itm_head.bias")
        .hasMessageContaining("unexpected keys (1)")
        .hasMessageContaining("extra.weight")
        .hasMessageContaining("mis-shaped keys (1)")
        .hasMessageContaining("text_proj.weight: checkpoint [16, 96], model [32, 48]")
        .hasMessageNotContaining("position_ids");
  }

  @Test
  void missingConfigIsNamed(@TempDir Path dir) throws Exception {
    modelDir(dir, t -> { });
    Files.delete(dir.resolve("config.json"));
    assertThatThrownBy(() -> ModelDirectory.load(dir, manager))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("config.json");
  }

  @Test
  void malformedOrWronglyTypedConfigIsNamed(@TempDir Path dir) throws Exception {
    modelDir(dir, t -> { });
    Files.writeString(dir.resolve("config.json"), "{\"text_config\": {\"hidden_size\": ");
    assertThatThrownBy(() -> ModelDirectory.load(dir, manager))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("config.json").hasMessageContaining("not valid JSON");
    Files.writeString(dir.resolve("config.json"), "{\"text_config\": {\"hidden_size\": \"wide\"}}");
    assertThatThrownBy(() -> ModelDirectory.load(dir, manager))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("text_config.hidden_size");
    Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"BlipForSomethingElse\"]}");
    assertThatThrownBy(() -> ModelDirectory.load(dir, manager))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("BlipForSomethingElse");
    Files.writeString(dir.resolve("config.json"), "{\"vision_config\": {\"image_size\": 65, \"patch_size\": 16}}");
    assertThatThrownBy(() -> ModelDirectory.load(dir, manager))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("image_size 65");
  }

  @Test
  void missingDirectoryAndWeightsAreNamed(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> ModelDirectory.load(dir.resolve("nope"), manager))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("nope");
    Files.copy(Fixtures.fixture("retrieval/config.json"), dir.resolve("config.json"));
    assertThatThrownBy(() -> ModelDirectory.load(dir, manager))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("model.safetensors");
    assertThatThrownBy(() -> SafeTensors.open(dir.resolve("absent.safetensors"))).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void truncatedAndCorruptSafetensorsAreRefused(@TempDir Path dir) throws Exception {
    byte[] good = Files.readAllBytes(Fixtures.fixture("retrieval/model.safetensors"));
    Path truncated = dir.resolve("truncated.safetensors");
    Files.write(truncated, Arrays.copyOf(good, good.length - 1000));
    assertThatThrownBy(() -> SafeTensors.open(truncated))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("truncated.safetensors").hasMessageContaining("outside the data section");
    Path tiny = dir.resolve("tiny.safetensors");
    Files.write(tiny, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> SafeTensors.open(tiny)).isInstanceOf(CheckpointException.class).hasMessageContaining("tiny.safetensors");
    Path huge = dir.resolve("huge.safetensors");
    Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE / 2).array());
    assertThatThrownBy(() -> SafeTensors.open(huge)).isInstanceOf(CheckpointException.class).hasMessageContaining("header length");
    Path notJson = dir.resolve("notjson.safetensors");
    byte[] h = "{not json".getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h);
    Files.write(notJson, b.array());
    assertThatThrownBy(() -> SafeTensors.open(notJson)).isInstanceOf(CheckpointException.class).hasMessageContaining("not valid JSON");
    // a tensor claiming 2^60 bytes (and a matching huge shape): refused before any allocation
    Path claims = dir.resolve("claims2p60.safetensors");
    byte[] h3 = "{\"w\":{\"dtype\":\"U8\",\"shape\":[1152921504606846976],\"data_offsets\":[0,1152921504606846976]}}".getBytes(StandardCharsets.UTF_8);
    Files.write(claims, ByteBuffer.allocate(8 + h3.length + 16).order(ByteOrder.LITTLE_ENDIAN).putLong(h3.length).put(h3).array());
    assertThatThrownBy(() -> SafeTensors.open(claims)).isInstanceOf(CheckpointException.class)
        .hasMessageContaining("claims2p60.safetensors").hasMessageContaining("outside the data section");
    Path header2p60 = dir.resolve("header2p60.safetensors");
    Files.write(header2p60, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 60).array());
    assertThatThrownBy(() -> SafeTensors.open(header2p60)).isInstanceOf(CheckpointException.class).hasMessageContaining("header length");
    Path badShape = dir.resolve("badshape.safetensors");
    byte[] h2 = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}".getBytes(StandardCharsets.UTF_8);
    ByteBuffer b2 = ByteBuffer.allocate(8 + h2.length + 8).order(ByteOrder.LITTLE_ENDIAN).putLong(h2.length).put(h2);
    Files.write(badShape, b2.array());
    assertThatThrownBy(() -> SafeTensors.open(badShape)).isInstanceOf(CheckpointException.class)
        .hasMessageContaining("'w'").hasMessageContaining("8 bytes declared").hasMessageContaining("needs 16");
  }

  @Test
  void saveThenLoadRoundTripsEveryParameterForEachClass(@TempDir Path dir) throws Exception {
    for (String fixture : new String[] {"caption", "vqa"}) {
      try (BlipPretrainedModel a = ModelDirectory.load(Fixtures.fixture(fixture), manager)) {
        Path out = dir.resolve(fixture);
        ModelDirectory.save(a, out);
        try (BlipPretrainedModel b = ModelDirectory.load(out, manager)) {
          assertThat(b.architecture()).isEqualTo(a.architecture());
          SafeTensors file = SafeTensors.open(out.resolve("model.safetensors"));
          assertThat(file.contains("text_decoder.cls.predictions.decoder.bias")).as("tied duplicate dropped").isFalse();
          for (var e : a.parameters().byName().entrySet()) {
            assertThat(b.parameters().get(e.getKey()).array().toFloatArray()).as(e.getKey()).isEqualTo(e.getValue().array().toFloatArray());
          }
        }
      }
    }
  }

  @Test
  void blipModelClassBuildsSavesAndLoads(@TempDir Path dir) throws Exception {
    var cfg = org.blip4j.model.BlipConfig.read(Fixtures.fixture("retrieval/config.json")).withArchitecture(BlipContrastiveModel.ARCHITECTURE);
    try (BlipContrastiveModel m = new BlipContrastiveModel(cfg, manager)) {
      m.parameters().initializeMissing(3, 0.02f);
      assertThat(m.parameters().byName()).containsKeys("text_model.pooler.dense.weight", "visual_projection.weight", "text_projection.weight", "logit_scale");
      ModelDirectory.save(m, dir);
      try (BlipPretrainedModel back = ModelDirectory.load(dir, manager)) {
        assertThat(back).isInstanceOf(BlipContrastiveModel.class);
        try (NDManager s = manager.newSubManager()) {
          NDArray px = s.randomNormal(new ai.djl.ndarray.types.Shape(1, 3, 64, 64));
          assertThat(((BlipContrastiveModel) back).imageFeatures(px).toFloatArray()).isEqualTo(m.imageFeatures(px).toFloatArray());
        }
      }
    }
    assertThat(BlipCaptioningModel.ARCHITECTURE).isEqualTo("BlipForConditionalGeneration");
  }
}
