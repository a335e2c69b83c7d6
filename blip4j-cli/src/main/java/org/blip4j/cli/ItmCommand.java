package org.blip4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.blip4j.image.RgbImage;
import org.blip4j.task.ImageTextMatcher;
import org.blip4j.task.ImageTextMatcher.FirstToken;
import org.blip4j.task.ImageTextMatcher.Match;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code blip itm}: scores texts against one image with a {@code BlipForImageTextRetrieval} model:
 * the ITM head's match probability and logits, and the ITC cosine similarity.
 */
@Command(name = "itm", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Image-text matching (BlipForImageTextRetrieval): ITM match probability and ITC cosine of each text with the image.")
public final class ItmCommand implements Callable<Integer> {

  @Mixin Common common;

  @Option(names = "--image", required = true, paramLabel = "IMG", description = "Image file.")
  Path image;

  @Option(names = "--text", required = true, paramLabel = "TEXT",
      description = "A text to score (repeatable; an empty text is scored as [CLS] [SEP]). Texts longer than 35 tokens are truncated.")
  List<String> texts;

  @Option(names = "--first-token", paramLabel = "enc|cls", defaultValue = "enc", converter = FirstTokenConverter.class,
      description = "First token of the image-grounded encoder's input: enc = [ENC] as original BLIP's retrieval/pre-training, "
          + "cls = [CLS] as HF's BlipProcessor. Default: ${DEFAULT-VALUE}.")
  FirstToken firstToken;

  @Override
  public Integer call() {
    return common.run(() -> {
      try (ImageTextMatcher matcher = ImageTextMatcher.load(common.model, common.medConfig)) {
        RgbImage rgb = common.decodeOrReport(image);
        if (rgb == null) {
          return 1;
        }
        for (Match m : matcher.matchDecoded(rgb, texts, firstToken)) {
          if (common.json) {
            ObjectNode o = common.object();
            o.put("image", image.toString());
            o.put("text", m.text());
            o.put("itm_match_prob", m.itmMatchProb());
            o.putArray("itm_logits").add(m.itmLogits()[0]).add(m.itmLogits()[1]);
            o.put("itc_cosine", m.itcCosine());
            common.emit(o);
          } else {
            common.emit(String.format(Locale.ROOT, "%s: itm_match_prob=%.4f itc_cosine=%+.4f  \"%s\"", image, m.itmMatchProb(), m.itcCosine(), m.text()));
          }
        }
      }
      return 0;
    });
  }

  /** enc | cls, any case. */
  static final class FirstTokenConverter implements ITypeConverter<FirstToken> {
    @Override
    public FirstToken convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "enc" -> FirstToken.ENC;
        case "cls" -> FirstToken.CLS;
        default -> throw new TypeConversionException("expected enc or cls, got '" + value + "'");
      };
    }
  }
}
