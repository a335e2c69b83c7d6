package org.blip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.blip4j.cli.Cli.ASTRONAUT;
import static org.blip4j.cli.Cli.CHELSEA;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.blip4j.Blip4j;
import org.blip4j.checkpoint.ModelDirectory;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.ImagePreprocessor;
import org.blip4j.image.RgbImage;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.BlipNlvrModel;
import org.blip4j.model.BlipPretrainedModel;
import org.blip4j.model.BlipRetrievalModel;
import org.blip4j.nn.Parameter;
import org.blip4j.task.NlvrClassifier;
import org.blip4j.testing.Close;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code blip convert}: original .pth and HF directories to HF-layout directories that load and agree with the fixtures. */
class ConvertCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  static Cli.Result convert(Object... args) {
    List<Object> a = new ArrayList<>(List.of("convert"));
    a.addAll(List.of(args));
    return Cli.run(a.toArray());
  }

  static List<JsonNode> captions(Path model) {
    Cli.Result r = Cli.run("caption", "--model", model, "--json", ASTRONAUT, CHELSEA);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r.json();
  }

  @Test
  void anOriginalCaptionCheckpointBecomesADirectoryThatCaptionsTheSame() throws Exception {
    Path pth = Fixtures.fixture("original/caption/model.pth");
    Path dst = tmp.resolve("caption");
    Cli.Result r = convert(pth, dst);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err().strip().split("\n")).as(r.toString()).hasSize(1);
    assertThat(r.err()).contains(BlipCaptioningModel.ARCHITECTURE).contains(dst.toString()).contains(" parameters");

    // the files of an HF directory
    for (String f : List.of("config.json", "model.safetensors", "vocab.txt", "preprocessor_config.json")) {
      assertThat(dst.resolve(f)).as(f).isRegularFile();
    }
    JsonNode config = JSON.readTree(dst.resolve("config.json").toFile());
    assertThat(config.get("architectures").get(0).asText()).isEqualTo(BlipCaptioningModel.ARCHITECTURE);
    // original BLIP's ViT LayerNorm eps is 1e-6 (HF's default 1e-5 would change the outputs)
    assertThat(config.get("vision_config").get("layer_norm_eps").asDouble()).isEqualTo(1e-6);
    assertThat(config.get("vision_config").get("image_size").asInt())
        .isEqualTo(Fixtures.json("original/caption/case.json").get("construction").get("vit").get("image_size").asInt());
    assertThat(Files.readAllBytes(dst.resolve("vocab.txt")))
        .isEqualTo(Files.readAllBytes(Fixtures.shared().resolve("vocab/bert-base-uncased-vocab.txt")));

    // preprocessor_config.json: BlipImageProcessor's format at the model's size
    JsonNode pre = JSON.readTree(dst.resolve("preprocessor_config.json").toFile());
    JsonNode ref = Fixtures.json("preprocess/preprocessor_384/preprocessor_config.json");
    assertThat(fieldNames(pre)).isEqualTo(fieldNames(ref));
    for (Iterator<String> it = ref.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!k.equals("size")) {
        assertThat(pre.get(k)).as(k).isEqualTo(ref.get(k));
      }
    }
    assertThat(pre.get("size").get("height").asInt()).isEqualTo(64);
    assertThat(pre.get("size").get("width").asInt()).isEqualTo(64);
    assertThat(ImagePreprocessor.fromConfig(dst.resolve("preprocessor_config.json")).size()).isEqualTo(64);

    Blip4j.inferenceThread();
    try (NDManager root = NDManager.newBaseManager(); BlipPretrainedModel m = ModelDirectory.load(dst, root)) {
      assertThat(m).isInstanceOf(BlipCaptioningModel.class);
    }

    // same ids from the directory and the .pth, and those of the HF fixture (beam3_prompt = the defaults)
    List<JsonNode> fromDir = captions(dst);
    List<JsonNode> fromPth = captions(pth);
    JsonNode expected = Fixtures.json("caption/case.json").get("generation").get("beam3_prompt").get("sequences");
    assertThat(fromDir).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(Cli.longs(fromDir.get(i).get("token_ids"))).as("image %d", i).isEqualTo(Cli.longs(fromPth.get(i).get("token_ids")))
          .isEqualTo(Cli.expectedIds(expected, i));
      assertThat(fromDir.get(i).get("caption").asText()).isEqualTo(fromPth.get(i).get("caption").asText());
    }
  }

  private static Set<String> fieldNames(JsonNode n) {
    Set<String> s = new TreeSet<>();
    n.fieldNames().forEachRemaining(s::add);
    return s;
  }

  @Test
  void anHfDirectoryConvertsWithEveryParameterEqual() throws Exception {
    Path src = Fixtures.fixture("retrieval");
    Path dst = tmp.resolve("retrieval");
    Cli.Result r = convert(src, dst);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.err()).contains(BlipRetrievalModel.ARCHITECTURE);
    Blip4j.inferenceThread();
    try (NDManager root = NDManager.newBaseManager();
        BlipPretrainedModel a = ModelDirectory.load(src, root);
        BlipPretrainedModel b = ModelDirectory.load(dst, root)) {
      assertThat(b).isInstanceOf(BlipRetrievalModel.class);
      assertThat(b.config().withArchitecture(null)).isEqualTo(a.config().withArchitecture(null));
      Map<String, Parameter> pa = a.parameters().byName();
      Map<String, Parameter> pb = b.parameters().byName();
      assertThat(pb.keySet()).isEqualTo(pa.keySet());
      assertThat(pa).isNotEmpty();
      for (String name : pa.keySet()) {
        assertThat(pb.get(name).shape()).as(name).isEqualTo(pa.get(name).shape());
        assertThat(pb.get(name).array().toFloatArray()).as(name).isEqualTo(pa.get(name).array().toFloatArray());
      }
      assertThat(r.err()).contains(String.format(java.util.Locale.ROOT, "%,d parameters", a.parameters().numel()));
    }
    // the retrieval case compares against HF (vision eps 1e-5): the config must keep it
    assertThat(JSON.readTree(dst.resolve("config.json").toFile()).get("vision_config").get("layer_norm_eps").asDouble())
        .isEqualTo(Fixtures.json("retrieval/config_full.json").get("vision_config").get("layer_norm_eps").asDouble());
  }

  @Test
  void anOriginalNlvrCheckpointConvertsWithTheSameLogits() throws Exception {
    Path dst = tmp.resolve("nlvr");
    Cli.Result r = convert(Fixtures.fixture("original/nlvr/model.pth"), dst);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.err()).contains(BlipNlvrModel.ARCHITECTURE);
    List<String> texts = new ArrayList<>();
    Fixtures.json("original/nlvr/case.json").get("inputs").get("texts").forEach(t -> texts.add(t.asText()));
    ImageDecoder d = new ImageDecoder();
    List<RgbImage> left = List.of(d.decode(Fixtures.fixture("preprocess/images/astronaut.png")), d.decode(Fixtures.fixture("preprocess/images/rocket.jpg")));
    List<RgbImage> right = List.of(d.decode(Fixtures.fixture("preprocess/images/chelsea.png")),
        d.decode(Fixtures.fixture("preprocess/images/astronaut_rgba_portrait.png")));
    try (NlvrClassifier nlvr = NlvrClassifier.load(dst)) {
      List<NlvrClassifier.Prediction> ps = nlvr.predict(left, right, texts);
      float[] logits = {ps.get(0).logits()[0], ps.get(0).logits()[1], ps.get(1).logits()[0], ps.get(1).logits()[1]};
      Close.assertClose("converted nlvr prediction", Fixtures.tensors("original/nlvr/io.safetensors").floats("prediction"), logits, 1e-4);
    }
  }

  @Test
  void aNonEmptyDestinationIsRefusedUnlessForced() throws Exception {
    Path dst = Files.createDirectories(tmp.resolve("busy"));
    Path other = Files.writeString(dst.resolve("notes.txt"), "keep me");
    Cli.Result r = convert(Fixtures.fixture("retrieval"), dst);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains(dst.toString()).contains("not empty").contains("--force").doesNotContain("\tat ");
    assertThat(dst.resolve("config.json")).doesNotExist();
    assertThat(dst.resolve("model.safetensors")).doesNotExist();

    Cli.Result forced = convert(Fixtures.fixture("retrieval"), dst, "--force");
    assertThat(forced.exitCode()).as(forced.toString()).isZero();
    assertThat(dst.resolve("model.safetensors")).isRegularFile();
    assertThat(Files.readString(other)).isEqualTo("keep me");
  }

  @Test
  void anEmptyExistingDestinationIsFine() throws Exception {
    Path dst = Files.createDirectories(tmp.resolve("empty"));
    Cli.Result r = convert(Fixtures.fixture("retrieval"), dst);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(dst.resolve("config.json")).isRegularFile();
  }

  @Test
  void theSourceDirectoryIsNeverOverwritten() throws Exception {
    Path src = tmp.resolve("src");
    assertThat(convert(Fixtures.fixture("retrieval"), src).exitCode()).isZero();
    byte[] before = Files.readAllBytes(src.resolve("model.safetensors"));
    Cli.Result r = convert(src, src, "--force");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("SRC");
    assertThat(Files.readAllBytes(src.resolve("model.safetensors"))).isEqualTo(before);
  }

  @Test
  void aPretrainingCheckpointNeedsTaskWhichPicksTheClass() throws Exception {
    Path pth = Fixtures.fixture("original/pretrain/model.pth");
    Cli.Result none = convert(pth, tmp.resolve("none"));
    assertThat(none.exitCode()).as(none.toString()).isEqualTo(1);
    assertThat(none.err()).contains(pth.toString()).contains("--task");
    assertThat(tmp.resolve("none").resolve("config.json")).doesNotExist();

    Path dst = tmp.resolve("pretrain-retrieval");
    Cli.Result r = convert(pth, dst, "--task", "retrieval", "--image-size", "96");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.err()).contains(BlipRetrievalModel.ARCHITECTURE);
    Blip4j.inferenceThread();
    try (NDManager root = NDManager.newBaseManager(); BlipPretrainedModel m = ModelDirectory.load(dst, root)) {
      assertThat(m).isInstanceOf(BlipRetrievalModel.class);
      assertThat(m.config().vision().imageSize()).isEqualTo(96);
    }
    assertThat(ImagePreprocessor.fromConfig(dst.resolve("preprocessor_config.json")).size()).isEqualTo(96);
  }

  @Test
  void taskMustMatchANonPretrainingCheckpoint() {
    Cli.Result r = convert(Fixtures.fixture("original/caption/model.pth"), tmp.resolve("x"), "--task", "vqa");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains(BlipCaptioningModel.ARCHITECTURE).contains("--task");
  }

  @Test
  void usageErrors() {
    Path hf = Fixtures.fixture("retrieval");
    assertThat(convert(hf, tmp.resolve("a"), "--image-size", "128").exitCode()).as("--image-size with an HF SRC").isEqualTo(2);
    assertThat(convert(hf, tmp.resolve("b"), "--med-config", hf.resolve("config.json")).exitCode()).as("--med-config with an HF SRC").isEqualTo(2);
    assertThat(convert(Fixtures.fixture("original/caption/model.pth"), tmp.resolve("c"), "--task", "nlvr").exitCode()).as("unknown task").isEqualTo(2);
    assertThat(convert(hf).exitCode()).as("no DST").isEqualTo(2);
    assertThat(tmp.resolve("a")).doesNotExist();
  }

  @Test
  void aMissingSourceIsNamed() {
    Path missing = tmp.resolve("nothing-here");
    Cli.Result r = convert(missing, tmp.resolve("out"));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains(missing.toString());
  }
}
