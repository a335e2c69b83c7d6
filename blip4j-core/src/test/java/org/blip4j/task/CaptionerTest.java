package org.blip4j.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.blip4j.checkpoint.CheckpointException;
import org.blip4j.generate.GenerationConfig;
import org.blip4j.image.ImageDecodeException;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Captioner API end to end from image files: ids and captions equal HF's (fixtures/caption). */
class CaptionerTest {
  static Captioner captioner;
  static final List<ImageInput> IMAGES = List.of(
      ImageInput.of(Fixtures.fixture("preprocess/images/astronaut.png")),
      ImageInput.of(Fixtures.fixture("preprocess/images/chelsea.png")));

  @BeforeAll
  static void load() throws Exception {
    captioner = Captioner.load(Fixtures.fixture("caption"));
  }

  @AfterAll
  static void close() {
    captioner.close();
  }

  static long[] expectedRow(JsonNode gen, int r) {
    List<Long> ids = new ArrayList<>();
    gen.get("sequences").get(r).forEach(n -> ids.add(n.asLong()));
    return ids.stream().mapToLong(Long::longValue).toArray();
  }

  @Test
  void defaultOptionsGiveHfBeamCaptionsWithPromptStripped() {
    JsonNode gen = Fixtures.json("caption/case.json").get("generation").get("beam3_prompt");
    List<List<Captioner.Caption>> out = captioner.caption(IMAGES, Captioner.Options.defaults());
    for (int r = 0; r < 2; r++) {
      assertThat(out.get(r).get(0).tokenIds()).isEqualTo(expectedRow(gen, r));
      assertThat(out.get(r).get(0).text()).isEqualTo(gen.get("caption_after_prompt").get(r).asText());
    }
  }

  @Test
  void batchSizeOneGivesTheSameCaptions() {
    JsonNode gen = Fixtures.json("caption/case.json").get("generation").get("greedy_noprompt");
    Captioner.Options opts = new Captioner.Options(GenerationConfig.greedy(20), null, 1);
    List<List<Captioner.Caption>> out = captioner.caption(IMAGES, opts);
    assertThat(out.get(0).get(0).tokenIds()).isEqualTo(expectedRow(gen, 0));
    assertThat(out.get(0).get(0).text()).isEqualTo(gen.get("caption_after_prompt").get(0).asText());
    // row 1 ends early: its batch-of-1 sequence is the HF row without the trailing padding
    assertThat(out.get(1).get(0).tokenIds()).containsExactly(30522, 102);
  }

  @Test
  void samplingIsSeededAndReturnsTheRequestedNumberOfCaptions() {
    GenerationConfig sample = GenerationConfig.nucleus(0.9f, 20, 5, 42).withNumReturnSequences(3);
    Captioner.Options opts = Captioner.Options.defaults().withGeneration(sample);
    List<List<Captioner.Caption>> a = captioner.caption(IMAGES, opts);
    List<List<Captioner.Caption>> b = captioner.caption(IMAGES, opts);
    assertThat(a).hasSize(2);
    assertThat(a.get(0)).hasSize(3);
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        assertThat(a.get(i).get(j).tokenIds()).isEqualTo(b.get(i).get(j).tokenIds());
        long[] ids = a.get(i).get(j).tokenIds();
        assertThat(ids).startsWith(30522, 1037, 3861, 1997);
        // min length 5: [SEP] cannot come before position 5
        for (int p = 0; p < Math.min(5, ids.length); p++) {
          assertThat(ids[p]).isNotEqualTo(102);
        }
      }
    }
    GenerationConfig other = GenerationConfig.nucleus(0.9f, 20, 5, 43).withNumReturnSequences(3);
    List<List<Captioner.Caption>> c = captioner.caption(IMAGES, opts.withGeneration(other));
    boolean differs = false;
    for (int j = 0; j < 3; j++) {
      differs |= !java.util.Arrays.equals(a.get(0).get(j).tokenIds(), c.get(0).get(j).tokenIds());
    }
    assertThat(differs).as("another seed gives other samples").isTrue();
  }

  @Test
  void concurrentCallersGetTheSameResultsAsSequentialOnes() throws Exception {
    Captioner.Options opts = new Captioner.Options(GenerationConfig.beam(3, 20, 5), Captioner.DEFAULT_PROMPT, 2);
    List<List<Captioner.Caption>> expected = captioner.caption(IMAGES, opts);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<List<Captioner.Caption>>>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(pool.submit(() -> captioner.caption(IMAGES, opts)));
      }
      for (Future<List<List<Captioner.Caption>>> f : futures) {
        List<List<Captioner.Caption>> got = f.get();
        for (int r = 0; r < 2; r++) {
          assertThat(got.get(r).get(0).tokenIds()).isEqualTo(expected.get(r).get(0).tokenIds());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void badImageFailsNamingTheFile(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("broken.png");
    Files.write(bad, "not an image".getBytes());
    assertThatThrownBy(() -> captioner.caption(List.of(ImageInput.of(bad)), Captioner.Options.defaults()))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("broken.png");
  }

  @Test
  void wrongModelClassIsRefusedWithBothClassNames() {
    assertThatThrownBy(() -> Captioner.load(Fixtures.fixture("retrieval")))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("BlipForImageTextRetrieval")
        .hasMessageContaining("BlipForConditionalGeneration");
  }
}
