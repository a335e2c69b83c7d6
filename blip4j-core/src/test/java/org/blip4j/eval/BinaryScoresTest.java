package org.blip4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.blip4j.eval.BinaryScores.OperatingPoint;
import org.junit.jupiter.api.Test;

class BinaryScoresTest {
  @Test
  void aucCountsPairsWithTiesAsHalf() {
    assertThat(new BinaryScores(List.of(3f, 1f), List.of(2f, 0f)).auc()).isEqualTo(0.75);
    assertThat(new BinaryScores(List.of(1f), List.of(1f, 0f, 2f)).auc()).isEqualTo(0.5);
    assertThat(new BinaryScores(List.of(5f, 6f), List.of(1f, 2f, 3f)).auc()).isEqualTo(1.0);
    // by hand: 0.9 beats all 4; 0.6 beats 0.2 and 0.1 and ties 0.6; 0.3 beats 0.2 and 0.1 -> 8.5 of 12 pairs
    assertThat(scores().auc()).isEqualTo(8.5 / 12);
    assertThat(new BinaryScores(List.of(), List.of(1f)).auc()).isNaN();
  }

  @Test
  void aThresholdAcceptsScoresAtOrAboveIt() {
    assertThat(scores().at(0.5)).isEqualTo(new OperatingPoint(0.5, 2.0 / 3, 0.5));
    // 0.6 itself is accepted: the positive 0.6 counts as accepted, the negative 0.6 as not rejected
    assertThat(scores().at(0.6f)).isEqualTo(new OperatingPoint(0.6f, 2.0 / 3, 0.5));
    assertThat(scores().at(0.0)).isEqualTo(new OperatingPoint(0.0, 1.0, 0.0));
    assertThat(scores().at(1.0)).isEqualTo(new OperatingPoint(1.0, 0.0, 1.0));
  }

  @Test
  void theBalancedThresholdMaximisesTheWorseShareAndPrefersTheLowest() {
    // worse share at each score: 0.1 -> 0, 0.2 -> 0.25, 0.3 -> 0.5, 0.6 -> 0.5, 0.7 -> 1/3, 0.9 -> 1/3
    OperatingPoint b = scores().balanced();
    assertThat(b).isEqualTo(new OperatingPoint(0.3f, 1.0, 0.5));
    assertThat(b.worse()).isEqualTo(0.5);
    assertThatThrownBy(() -> new BinaryScores(List.of(1f), List.of()).balanced()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new BinaryScores(List.of(Float.NaN), List.of(1f))).hasMessageContaining("NaN");
  }

  private static BinaryScores scores() {
    return new BinaryScores(List.of(0.9f, 0.6f, 0.3f), List.of(0.7f, 0.2f, 0.1f, 0.6f));
  }
}
