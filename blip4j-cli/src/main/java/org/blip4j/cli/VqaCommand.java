package org.blip4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.blip4j.generate.GenerationConfig;
import org.blip4j.image.RgbImage;
import org.blip4j.model.TextConfig;
import org.blip4j.task.VqaModel;
import org.blip4j.task.VqaModel.Answer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code blip vqa}: answers questions about images with a {@code BlipForQuestionAnswering} model.
 * The i-th {@code --image} goes with the i-th {@code --question}; all pairs are answered as one
 * batch (questions padded to the longest, as HF does for a batch).
 */
@Command(name = "vqa", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Visual question answering (BlipForQuestionAnswering). Repeat --image/--question to ask several; "
        + "they are paired in order and answered as one batch.",
        "Defaults: beam search with 3 beams, max length 10, min length 1."})
public final class VqaCommand implements Callable<Integer> {

  @Mixin Common common;

  @Option(names = "--image", required = true, paramLabel = "IMG", description = "Image file (repeatable, paired with --question).")
  List<Path> images;

  @Option(names = "--question", required = true, paramLabel = "TEXT", description = "Question (repeatable, paired with --image).")
  List<String> questions;

  @Option(names = "--beams", paramLabel = "N", defaultValue = "3", description = "Beam search with N beams; 1 = greedy. Default: ${DEFAULT-VALUE}.")
  int beams;

  @Option(names = "--max-length", paramLabel = "N", defaultValue = "10", description = "Answer length limit in tokens, counting [DEC]. Default: ${DEFAULT-VALUE}.")
  int maxLength;

  @Option(names = "--min-length", paramLabel = "N", defaultValue = "1", description = "[SEP] is forbidden before this many tokens. Default: ${DEFAULT-VALUE}.")
  int minLength;

  @Override
  public Integer call() {
    common.require(images.size() == questions.size(),
        images.size() + " --image but " + questions.size() + " --question options; give one question per image, in order");
    GenerationConfig generation = common.generation(maxLength, minLength, beams, 1f, false, 1f, 50, 1f, 0, 1);
    return common.run(() -> {
      try (VqaModel vqa = VqaModel.load(common.model, common.medConfig)) {
        TextConfig text = vqa.model().config().text();
        List<Integer> ok = new ArrayList<>();
        List<RgbImage> decoded = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
          RgbImage rgb = common.decodeOrReport(images.get(i));
          if (rgb != null) {
            ok.add(i);
            decoded.add(rgb);
          }
        }
        List<Answer> answers = vqa.answerDecoded(decoded, ok.stream().map(questions::get).toList(), generation);
        for (int k = 0; k < answers.size(); k++) {
          Path image = images.get(ok.get(k));
          String question = questions.get(ok.get(k));
          Answer a = answers.get(k);
          if (common.json) {
            ObjectNode o = common.object();
            o.put("image", image.toString());
            o.put("question", question);
            o.put("answer", a.answer());
            Common.putTokenIds(o, a.tokenIds(), text.sepTokenId(), text.padTokenId());
            common.emit(o);
          } else {
            common.emit(image + ": " + question + " -> " + a.answer());
          }
        }
      }
      return 0;
    });
  }
}
