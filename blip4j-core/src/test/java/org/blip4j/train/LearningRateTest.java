package org.blip4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The learning-rate recipes at hand-computed points. */
class LearningRateTest {
  @Test
  void warmUpThenStepDecayPerEpoch() {
    LearningRate r = new LearningRate("step", 3e-4f, 1e-6f, 1e-6f, 10, 0.9f, 5);
    assertThat(r.at(0, 0)).isCloseTo(1e-6f, within(1e-12f));
    assertThat(r.at(5, 0)).isCloseTo(1.505e-4f, within(1e-9f)); // 1e-6 + (3e-4 − 1e-6)·5/10
    assertThat(r.at(20, 2)).isCloseTo(2.43e-4f, within(1e-9f)); // 3e-4·0.9²
  }

  @Test
  void cosineRunsOverEpochsAndCosineStepsOverTheStepsAfterTheWarmUp() {
    assertThat(new LearningRate("cosine", 1e-3f, 1e-5f, 1e-6f, 0, 1f, 4).at(999, 2)).isCloseTo(5.05e-4f, within(1e-9f)); // 0.99e-3·½(1 + cos π/2) + 1e-5
    LearningRate steps = new LearningRate("cosine_steps", 1e-3f, 1e-5f, 1e-6f, 10, 1f, 1, 110);
    assertThat(steps.at(5, 0)).isCloseTo(5.005e-4f, within(1e-9f));
    assertThat(steps.at(10, 0)).isCloseTo(1e-3f, within(1e-9f));
    assertThat(steps.at(60, 0)).isCloseTo(5.05e-4f, within(1e-9f)); // halfway through the 100 cosine steps
    assertThat(steps.at(110, 0)).isCloseTo(1e-5f, within(1e-9f));
    assertThat(steps.at(500, 3)).isCloseTo(1e-5f, within(1e-9f));
    assertThatThrownBy(() -> new LearningRate("cosine_steps", 1e-3f, 0f, 0f, 10, 1f, 1)).hasMessageContaining("needs more steps");
    assertThatThrownBy(() -> new LearningRate("linear", 1e-3f, 0f, 0f, 10, 1f, 1)).hasMessageContaining("'linear'");
  }
}
