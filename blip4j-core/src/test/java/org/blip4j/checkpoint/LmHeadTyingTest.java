package org.blip4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.BlipConfig;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.BlipPretrainedModel;
import org.blip4j.model.BlipVqaModel;
import org.blip4j.model.TextDecoder;
import org.blip4j.nn.ParameterStore;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decoder's LM head and word embeddings are ONE parameter when the checkpoint allows it
 * (salesforce/BLIP's {@code BertLMHeadModel} ties them; real checkpoints and the fixtures hold equal
 * values), and two when a file holds different values (HF does not tie them, so an HF fine-tune parts
 * them) — never a silent choice of one of two different tensors.
 */
class LmHeadTyingTest {
  static final String HEAD = "text_decoder" + TextDecoder.LM_HEAD_WEIGHT;
  static final String EMBEDDINGS = "text_decoder" + TextDecoder.WORD_EMBEDDINGS;

  @TempDir Path dir;

  static boolean tied(BlipPretrainedModel model) {
    ParameterStore store = model.parameters();
    return store.get(HEAD) == store.get(EMBEDDINGS);
  }

  @Test
  void fixtureAndOriginalCheckpointsLoadTied() throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        BlipPretrainedModel caption = ModelDirectory.load(Fixtures.fixture("caption"), m);
        BlipPretrainedModel vqa = ModelDirectory.load(Fixtures.fixture("vqa"), m);
        BlipPretrainedModel original = ModelDirectory.load(Fixtures.fixture("original/caption/model.pth"), m)) {
      assertThat(tied(caption)).isTrue();
      assertThat(((BlipCaptioningModel) caption).textDecoder().tiedLmHead()).isTrue();
      assertThat(tied(vqa)).isTrue();
      assertThat(((BlipVqaModel) vqa).textDecoder().tiedLmHead()).isTrue();
      assertThat(tied(original)).isTrue();
    }
  }

  @Test
  void savedTiedHeadIsWrittenUnderBothNamesWithEqualValues() throws Exception {
    try (NDManager m = NDManager.newBaseManager(); BlipPretrainedModel model = ModelDirectory.load(Fixtures.fixture("caption"), m)) {
      ModelDirectory.save(model, dir);
      SafeTensors file = SafeTensors.open(dir.resolve("model.safetensors"));
      assertThat(file.names()).contains(HEAD, EMBEDDINGS);
      assertThat(file.toNDArray(m, HEAD).contentEquals(file.toNDArray(m, EMBEDDINGS))).isTrue();
    }
  }

  @Test
  void aFileWithADifferentHeadLoadsUntiedWithBothTensorsAsStored() throws Exception {
    Path untied = writeWithHeadScaled(dir.resolve("untied"), 0.5f);
    try (NDManager m = NDManager.newBaseManager(); BlipPretrainedModel model = ModelDirectory.load(untied, m)) {
      assertThat(tied(model)).isFalse();
      assertThat(((BlipCaptioningModel) model).textDecoder().tiedLmHead()).isFalse();
      SafeTensors file = SafeTensors.open(untied.resolve("model.safetensors"));
      ParameterStore store = model.parameters();
      assertThat(store.get(HEAD).array().contentEquals(file.toNDArray(m, HEAD))).isTrue();
      assertThat(store.get(EMBEDDINGS).array().contentEquals(file.toNDArray(m, EMBEDDINGS))).isTrue();
      // and it stays untied through save and load
      ModelDirectory.save(model, dir.resolve("again"));
      try (BlipPretrainedModel again = ModelDirectory.load(dir.resolve("again"), m)) {
        assertThat(tied(again)).isFalse();
        assertThat(again.parameters().get(HEAD).array().contentEquals(file.toNDArray(m, HEAD))).isTrue();
      }
    }
  }

  @Test
  void aTiedModelRefusesAFileWhoseTiedTensorsDiffer() throws Exception {
    Path untied = writeWithHeadScaled(dir.resolve("untied"), 0.5f);
    try (NDManager m = NDManager.newBaseManager();
        BlipCaptioningModel model = new BlipCaptioningModel(BlipConfig.read(untied.resolve("config.json")), true, m)) {
      SafeTensors file = SafeTensors.open(untied.resolve("model.safetensors"));
      assertThatThrownBy(() -> StateDictLoader.load(model.parameters(), file))
          .isInstanceOf(CheckpointException.class)
          .hasMessageContaining("tied keys with different values")
          .hasMessageContaining(HEAD);
    }
  }

  @Test
  void taskModelsFromAPretrainingCheckpointTieTheirHead() throws Exception {
    Path pth = Fixtures.fixture("original/pretrain/model.pth");
    try (NDManager m = NDManager.newBaseManager();
        BlipPretrainedModel pretrain = OriginalCheckpoint.load(pth, null, new OriginalCheckpoint.Options(null, null, BlipPretrainModel.ARCHITECTURE), m);
        BlipPretrainedModel direct = OriginalCheckpoint.load(pth, null, new OriginalCheckpoint.Options(null, null, BlipCaptioningModel.ARCHITECTURE), m)) {
      assertThat(tied(pretrain)).isTrue();
      assertThat(tied(TaskModels.captioning(pretrain, m))).isTrue();
      assertThat(tied(TaskModels.vqa(pretrain, m))).isTrue();
      assertThat(tied(direct)).isTrue();
    }
  }

  /** The caption fixture with its LM-head weight multiplied by {@code factor} (so it differs from the embeddings). */
  private static Path writeWithHeadScaled(Path out, float factor) throws Exception {
    Files.createDirectories(out);
    Files.copy(Fixtures.fixture("caption/config.json"), out.resolve("config.json"));
    SafeTensors src = Fixtures.tensors("caption/model.safetensors");
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new TreeMap<>();
      for (String name : src.names()) {
        tensors.put(name, src.toNDArray(m, name));
      }
      tensors.put(HEAD, tensors.get(HEAD).mul(m.create(factor)));
      SafeTensors.write(out.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
    }
    return out;
  }
}
