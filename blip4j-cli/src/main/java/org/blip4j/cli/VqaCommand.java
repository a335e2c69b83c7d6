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
        "Defaults: beam search with 3 beams, max length 10, min length 1.",
        "--mode rank --answer-list FILE picks the answer from a closed list instead (BLIP's rank_answer: the --k-test answers whose",
        "first token is most probable, re-scored by the whole answer)."})
public final class VqaCommand implements Callable<Integer> {

  @Mixin Common common;

  @Option(names = "--image", required = true, paramLabel = "IMG", description = "Image file (repeatable, paired with --question).")
  List<Path> images;

  @Option(names = "--question", required = true, paramLabel = "TEXT", description = "Question (repeatable, paired with --image).")
  List<String> questions;

  @Option(names = "--mode", paramLabel = "generate|rank", defaultValue = "generate", description = "Generate an answer, or rank a closed answer list. Default: ${DEFAULT-VALUE}.")
  String mode;

  @Option(names = "--answer-list", paramLabel = "FILE", description = "Rank mode's candidate answers: a JSON array of strings (e.g. answer_list.json).")
  Path answerList;

  @Option(names = "--k-test", paramLabel = "K", defaultValue = "" + VqaModel.DEFAULT_K_TEST, description = "Rank mode: answers re-scored per question. Default: ${DEFAULT-VALUE}.")
  int kTest;

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
    common.require(mode.equals("generate") || mode.equals("rank"), "--mode must be generate or rank, got " + mode);
    common.require(!mode.equals("rank") || answerList != null, "--mode rank needs --answer-list FILE (a JSON array of candidate answers)");
    common.require(mode.equals("rank") || answerList == null, "--answer-list is only used with --mode rank");
    common.require(kTest >= 1, "--k-test must be >= 1, got " + kTest);
    GenerationConfig generation = common.generation(maxLength, minLength, beams, 1f, false, 1f, 50, 1f, 0, 1);
    return common.run(() -> {
      List<String> candidates = answerList == null ? null : VqaModel.readAnswerList(answerList); // before the model loads
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
        List<String> asked = ok.stream().map(questions::get).toList();
        if (candidates != null) {
          List<VqaModel.RankedAnswer> ranked = vqa.answerRankedDecoded(decoded, asked, vqa.candidates(candidates), kTest);
          for (int k = 0; k < ranked.size(); k++) {
            Path image = images.get(ok.get(k));
            VqaModel.RankedAnswer a = ranked.get(k);
            if (common.json) {
              ObjectNode o = common.object();
              o.put("image", image.toString());
              o.put("question", asked.get(k));
              o.put("answer", a.answer());
              o.put("answer_index", a.index());
              float best = Float.NEGATIVE_INFINITY;
              for (float sc : a.scores()) {
                best = Math.max(best, sc);
              }
              o.put("score", best);
              common.emit(o);
            } else {
              common.emit(image + ": " + asked.get(k) + " -> " + a.answer());
            }
          }
          return 0;
        }
        List<Answer> answers = vqa.answerDecoded(decoded, asked, generation);
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
