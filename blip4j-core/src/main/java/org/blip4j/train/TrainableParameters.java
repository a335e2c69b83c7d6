package org.blip4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.blip4j.nn.Parameter;
import org.blip4j.nn.ParameterStore;

/** The parameters an objective optimises: chosen by name, minus the frozen ones; their gradients are switched on. */
final class TrainableParameters {
  private TrainableParameters() {}

  /**
   * Every distinct parameter of {@code store} whose first name passes {@code include} and none of whose
   * names matches {@code freeze} (null: nothing frozen), with gradient recording enabled.
   */
  static List<Parameter> select(ParameterStore store, Predicate<String> include, Pattern freeze) {
    List<Parameter> out = new ArrayList<>();
    store.distinct().forEach((p, names) -> {
      boolean frozen = freeze != null && names.stream().anyMatch(n -> freeze.matcher(n).matches());
      if (include.test(names.get(0)) && !frozen) {
        out.add(p);
        p.array().setRequiresGradient(true);
      }
    });
    return List.copyOf(out);
  }
}
