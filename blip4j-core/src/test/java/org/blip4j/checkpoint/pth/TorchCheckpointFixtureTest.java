package org.blip4j.checkpoint.pth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.blip4j.checkpoint.SafeTensors;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reads the original salesforce/BLIP checkpoints of the shared fixtures. */
class TorchCheckpointFixtureTest {

  private static TorchCheckpoint read(String kase) {
    return TorchCheckpoint.read(Fixtures.fixture("original/" + kase + "/model.pth"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"caption", "itm", "vqa", "nlvr", "pretrain"})
  void stateDictKeysAreExactlyThoseOfCaseJson(String kase) {
    TorchCheckpoint ckpt = read(kase);
    TreeSet<String> expected = new TreeSet<>();
    Fixtures.json("original/" + kase + "/case.json").get("weights").get("state_dict_keys").forEach(n -> expected.add(n.asText()));

    assertThat(ckpt.root()).isInstanceOf(Map.class);
    assertThat(new ArrayList<Object>(((Map<?, ?>) ckpt.root()).keySet())).containsExactly("model");
    LinkedHashMap<String, TensorRef> sd = ckpt.stateDict("model");
    assertThat(new TreeSet<>(sd.keySet())).isEqualTo(expected);
    assertThat(ckpt.stateDict()).containsExactlyEntriesOf(sd); // default wrapper keys find "model" too
    assertThat(ckpt.archiveName()).isNotEmpty();
    for (TensorRef t : sd.values()) {
      assertThat(t.dtype()).isIn("F32", "I64");
      assertThat(t.isContiguous()).isTrue();
    }
  }

  @Test
  void captionValuesEqualTheHfSafetensorsBitForBit() {
    TorchCheckpoint ckpt = read("caption");
    LinkedHashMap<String, TensorRef> sd = ckpt.stateDict();
    JsonNode map = Fixtures.json("original/caption/case.json").get("weights").get("original_key_to_hf_key");
    SafeTensors hf = Fixtures.tensors("caption/model.safetensors");

    // the named ones first
    assertSameBits(sd.get("visual_encoder.cls_token"), hf, "vision_model.embeddings.class_embedding");
    assertSameBits(sd.get("visual_encoder.blocks.0.attn.qkv.weight"), hf, "vision_model.encoder.layers.0.self_attn.qkv.weight");
    assertSameBits(sd.get("text_decoder.bert.encoder.layer.1.crossattention.self.value.weight"), hf,
        "text_decoder.bert.encoder.layer.1.crossattention.self.value.weight");
    assertSameBits(sd.get("text_decoder.cls.predictions.decoder.weight"), hf, "text_decoder.cls.predictions.decoder.weight");

    // then every mapped key whose HF name is stored
    int compared = 0;
    for (Map.Entry<String, JsonNode> e : map.properties()) {
      if (hf.contains(e.getValue().asText())) {
        assertThat(sd).containsKey(e.getKey());
        assertSameBits(sd.get(e.getKey()), hf, e.getValue().asText());
        compared++;
      }
    }
    assertThat(compared).isGreaterThanOrEqualTo(90);
  }

  private static void assertSameBits(TensorRef t, SafeTensors hf, String hfName) {
    assertThat(t).as(hfName).isNotNull();
    assertThat(t.numel()).as(hfName).isEqualTo(hf.entry(hfName).size());
    float[] a = t.floats();
    float[] b = hf.floats(hfName);
    assertThat(a.length).isEqualTo(b.length);
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
        throw new AssertionError(hfName + "[" + i + "]: " + a[i] + " != " + b[i]);
      }
    }
  }

  @Test
  void captionLmHeadIsTiedToWordEmbeddingsAndStoragesLoadLazily() {
    TorchCheckpoint ckpt = read("caption");
    Map<String, TensorRef> sd = ckpt.stateDict();
    TensorRef head = sd.get("text_decoder.cls.predictions.decoder.weight");
    TensorRef emb = sd.get("text_decoder.bert.embeddings.word_embeddings.weight");
    assertThat(head.storage()).isSameAs(emb.storage());
    assertThat(sd.get("text_decoder.cls.predictions.bias").storage()).isSameAs(sd.get("text_decoder.cls.predictions.decoder.bias").storage());
    assertThat(head).isNotSameAs(emb);
    assertThat(head.shape()).containsExactly(30524, 48);
    assertThat(TorchCheckpoint.sharedStorageGroups(sd)).containsExactlyInAnyOrder(
        List.of("text_decoder.bert.embeddings.word_embeddings.weight", "text_decoder.cls.predictions.decoder.weight"),
        List.of("text_decoder.cls.predictions.bias", "text_decoder.cls.predictions.decoder.bias"));
    assertThat(ckpt.storages()).hasSize(sd.size() - 2);

    assertThat(head.storage().isLoaded()).isFalse();
    float[] w = emb.floats();
    assertThat(head.storage().isLoaded()).isTrue();
    assertThat(w).hasSize(30524 * 48);
    assertThat(Arrays.equals(head.floats(), w)).isTrue();
  }

  @Test
  void pretrainDecoderSharesAllButSelfAttentionWithTheEncoder() {
    JsonNode construction = Fixtures.json("original/pretrain/case.json").get("construction");
    List<String> shared = new ArrayList<>();
    construction.get("text_decoder.bert parameters that are the text_encoder's").forEach(n -> shared.add(n.asText()));
    assertThat(shared).contains("embeddings.word_embeddings.weight", "encoder.layer.0.crossattention.self.query.weight");

    Map<String, TensorRef> sd = read("pretrain").stateDict();
    for (String name : shared) {
      TensorRef dec = sd.get("text_decoder.bert." + name);
      TensorRef enc = sd.get("text_encoder." + name);
      assertThat(dec.storage()).as(name).isSameAs(enc.storage());
    }
    // the verified pair (same storage key '35' in data.pkl, three names: encoder, decoder, LM head)
    Storage words = sd.get("text_encoder.embeddings.word_embeddings.weight").storage();
    assertThat(sd.get("text_decoder.cls.predictions.decoder.weight").storage()).isSameAs(words);
    // self-attention is the decoder's own; momentum copies are copies, not ties
    assertThat(sd.get("text_decoder.bert.encoder.layer.0.attention.self.query.weight").storage())
        .isNotSameAs(sd.get("text_encoder.encoder.layer.0.attention.self.query.weight").storage());
    assertThat(sd.get("text_encoder_m.embeddings.word_embeddings.weight").storage()).isNotSameAs(words);

    // every other group of shared keys is an encoder/decoder pair (or the embeddings triple)
    List<String> lmBias = List.of("text_decoder.cls.predictions.bias", "text_decoder.cls.predictions.decoder.bias");
    List<List<String>> groups = TorchCheckpoint.sharedStorageGroups(sd);
    assertThat(groups).contains(lmBias).hasSize(shared.size() + 1);
    for (List<String> group : groups) {
      if (!group.equals(lmBias)) {
        String first = group.get(0);
        assertThat(first).startsWith("text_encoder.");
        assertThat(shared).contains(first.substring("text_encoder.".length()));
      }
    }
  }

  @Test
  void pretrainScalarsAndIntegerBuffers() {
    Map<String, TensorRef> sd = read("pretrain").stateDict();
    TensorRef temp = sd.get("temp");
    assertThat(temp.shape()).isEmpty();
    assertThat(temp.numel()).isEqualTo(1);
    assertThat(temp.floats()[0]).isEqualTo(0.07f);
    TensorRef ptr = sd.get("queue_ptr");
    assertThat(ptr.dtype()).isEqualTo("I64");
    assertThat(ptr.longs()).containsExactly(0L);
    assertThat(sd.get("image_queue").shape()).containsExactly(32, 8);
  }
}
