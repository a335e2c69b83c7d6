package org.blip4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.blip4j.image.RgbImage;
import org.blip4j.task.NlvrClassifier;
import org.blip4j.task.NlvrClassifier.Prediction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code blip nlvr}: is a sentence true of a pair of images? Uses a {@code BlipForNlvr2} model (an
 * original {@code model_base_nlvr.pth} or a directory converted from one by {@code blip convert}).
 */
@Command(name = "nlvr", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Natural-language visual reasoning (BLIP NLVR2): judge whether a sentence is true of a pair of images.",
        "The text is tokenized as given ([ENC] first, as the original BLIP_NLVR)."})
public final class NlvrCommand implements Callable<Integer> {

  @Mixin Common common;

  @Option(names = "--image-a", required = true, paramLabel = "IMG", description = "The left image file.")
  Path imageA;

  @Option(names = "--image-b", required = true, paramLabel = "IMG", description = "The right image file.")
  Path imageB;

  @Option(names = "--text", required = true, paramLabel = "TEXT", description = "The sentence to judge.")
  String text;

  @Override
  public Integer call() {
    return common.run(() -> {
      try (NlvrClassifier nlvr = NlvrClassifier.load(common.model, common.medConfig)) {
        RgbImage a = common.decodeOrReport(imageA);
        RgbImage b = common.decodeOrReport(imageB);
        if (a == null || b == null) {
          return 1;
        }
        Prediction p = nlvr.predict(List.of(a), List.of(b), List.of(text)).get(0);
        if (common.json) {
          ObjectNode o = common.object();
          o.putArray("images").add(imageA.toString()).add(imageB.toString());
          o.put("text", text);
          o.put("prediction", p.prediction());
          o.put("prob_true", p.probTrue());
          o.putArray("logits").add(p.logits()[0]).add(p.logits()[1]);
          common.emit(o);
        } else {
          common.emit(String.format(Locale.ROOT, "%s + %s: %s (prob_true=%.4f)  \"%s\"",
              imageA, imageB, p.prediction() ? "true" : "false", p.probTrue(), text));
        }
      }
      return 0;
    });
  }
}
