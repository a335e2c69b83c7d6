package org.blip4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.blip4j.model.BlipConfig;
import org.junit.jupiter.api.Test;

/** {@link PretrainJob#modelConfig}: every named size builds, its text side cross-attends to its own ViT's width. */
class PretrainJobTest {
  @Test
  void everyNamedSizeFitsItsViT() {
    for (String size : PretrainJob.MODEL_SIZES) {
      BlipConfig c = PretrainJob.modelConfig(size, 64);
      assertThat(c.text().encoderHiddenSize()).as(size).isEqualTo(c.vision().hiddenSize());
      assertThat(c.vision().imageSize()).as(size).isEqualTo(64);
    }
  }

  @Test
  void midiIsMiniWithAViTAsWideAsItsTextSide() {
    BlipConfig mini = PretrainJob.modelConfig("mini", 64);
    BlipConfig midi = PretrainJob.modelConfig("midi", 64);
    assertThat(midi.vision().hiddenSize()).isEqualTo(midi.text().hiddenSize()).isEqualTo(96).isEqualTo(2 * mini.vision().hiddenSize());
    assertThat(midi.vision().intermediateSize()).isEqualTo(384);
    assertThat(midi.vision().numHiddenLayers()).isEqualTo(mini.vision().numHiddenLayers());
    assertThat(midi.text().hiddenSize()).isEqualTo(mini.text().hiddenSize());
    assertThat(midi.text().intermediateSize()).isEqualTo(mini.text().intermediateSize());
    assertThat(midi.text().numHiddenLayers()).isEqualTo(mini.text().numHiddenLayers());
  }

  @Test
  void anUnknownSizeNamesTheKnownOnes() {
    assertThatThrownBy(() -> PretrainJob.modelConfig("huge", 64))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'huge'").hasMessageContaining("tiny, mini, midi, small, base, large");
  }
}
