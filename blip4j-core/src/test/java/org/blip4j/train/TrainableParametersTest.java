package org.blip4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.regex.Pattern;
import org.blip4j.nn.Parameter;
import org.blip4j.nn.ParameterStore;
import org.junit.jupiter.api.Test;

class TrainableParametersTest {
  private static List<String> names(List<Parameter> ps) {
    return ps.stream().map(Parameter::name).toList();
  }

  @Test
  void freezeMatchesWholeNamesAndAPatternMatchingNothingIsAnError() {
    try (NDManager root = NDManager.newBaseManager(); ParameterStore store = new ParameterStore(root)) {
      for (String n : List.of("vision_model.embeddings.patch_embedding.weight", "vision_model_m.embeddings.patch_embedding.weight",
          "text_encoder.embeddings.word_embeddings.weight")) {
        store.create(n, Parameter.Init.NORMAL, 2, 2);
      }
      store.initializeMissing(1, 0.02f);
      assertThat(names(TrainableParameters.select(store, n -> true, null))).hasSize(3);
      assertThat(names(TrainableParameters.select(store, n -> true, Pattern.compile("vision_model\\..*|vision_model_m\\..*"))))
          .containsExactly("text_encoder.embeddings.word_embeddings.weight");
      // a prefix written as if it were searched for freezes nothing: refused, naming the pattern and what names look like
      assertThatThrownBy(() -> TrainableParameters.select(store, n -> true, Pattern.compile("^vision_model\\.")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("^vision_model\\.").hasMessageContaining("matches no parameter name")
          .hasMessageContaining("vision_model.embeddings.patch_embedding.weight");
    }
  }
}
