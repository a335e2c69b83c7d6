package org.blip4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.blip4j.nn.Parameter;
import org.blip4j.nn.ParameterStore;

/** The parameters an objective optimises: chosen by name, minus the frozen ones; their gradients are switched on. */
final class TrainableParameters {
  private TrainableParameters() {}

  /**
   * Every distinct parameter of {@code store} whose first name passes {@code include} and none of whose
   * names matches {@code freeze} (null: nothing frozen), with gradient recording enabled. {@code freeze}
   * must match whole names ({@code vision_model\..*}, not {@code ^vision_model\.}); one that matches
   * no name at all is an error, not a run that silently trains everything.
   */
  static List<Parameter> select(ParameterStore store, Predicate<String> include, Pattern freeze) {
    List<Parameter> out = new ArrayList<>();
    boolean anyFrozen = false;
    for (Map.Entry<Parameter, List<String>> e : store.distinct().entrySet()) {
      List<String> names = e.getValue();
      boolean frozen = freeze != null && names.stream().anyMatch(n -> freeze.matcher(n).matches());
      anyFrozen |= frozen;
      if (include.test(names.get(0)) && !frozen) {
        out.add(e.getKey());
        e.getKey().array().setRequiresGradient(true);
      }
    }
    if (freeze != null && !anyFrozen) {
      String example = store.byName().keySet().stream().findFirst().orElse("(none)");
      throw new IllegalArgumentException("freeze '" + freeze + "' matches no parameter name; each expression must match a whole name "
          + "(e.g. 'vision_model\\..*'); names look like '" + example + "'");
    }
    return List.copyOf(out);
  }
}
