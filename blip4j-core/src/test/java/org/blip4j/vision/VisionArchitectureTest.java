package org.blip4j.vision;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import org.blip4j.nn.ParameterStore;
import org.junit.jupiter.api.Test;

/** ViT-B/16 and ViT-L/16 build with the published parameter counts (no weights allocated). */
class VisionArchitectureTest {

  static long count(VisionConfig c) {
    try (NDManager m = NDManager.newBaseManager(); ParameterStore store = new ParameterStore(m)) {
      new VisionTransformer(c, store, "vision_model");
      return store.numel();
    }
  }

  @Test
  void vitBase16At384HasTimmsCountWithoutTheClassifierHead() {
    // per layer: 2 LN (2·1536) + qkv 768·2304+2304 + proj 768·768+768 + fc1 768·3072+3072 + fc2 3072·768+768 = 7,087,872
    // 12 layers = 85,054,464; patch 768·3·16·16+768 = 590,592; cls 768; pos 577·768 = 443,136; post-LN 1,536
    // = 86,090,496 (timm vit_base_patch16_384: 86.86M incl. the 769,000-parameter ImageNet head)
    assertThat(count(VisionConfig.base(384))).isEqualTo(86_090_496L);
  }

  @Test
  void vitLarge16At384HasTimmsCountWithoutTheClassifierHead() {
    // per layer: 2·2048 + (1024·3072+3072) + (1024·1024+1024) + (1024·4096+4096) + (4096·1024+1024) = 12,596,224
    // 24 layers = 302,309,376; patch 787,456; cls 1,024; pos 577·1024 = 590,848; post-LN 2,048 = 303,690,752
    assertThat(count(VisionConfig.large(384))).isEqualTo(303_690_752L);
  }

  @Test
  void anyImageSizeSetsThePositionTable() {
    assertThat(VisionConfig.base(224).numPositions()).isEqualTo(197);
    assertThat(VisionConfig.base(480).numPositions()).isEqualTo(901);
  }
}
