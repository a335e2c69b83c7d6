package org.blip4j.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The inputs of a VQA v2 evaluation as the VQA API ({@code vqa.py}) loads them: {@code questions.json}
 * ({@code {"questions": [{image_id, question, question_id}], task_type, ...}}), {@code
 * annotations.json} ({@code {"annotations": [{question_id, image_id, question_type, answer_type,
 * answers: [{answer, answer_confidence, answer_id}]}]}}) and a result file ({@code [{question_id,
 * answer}]}). As in {@code loadRes}, the results must answer exactly the annotated questions; for a
 * {@code "Multiple Choice"} task each answer must be one of the question's {@code multiple_choices}.
 * Every violation (and a missing or malformed file, a question id given twice, a missing field) is
 * an {@link EvalInputException} naming the file and the question id.
 *
 * @param questions the annotated questions, in annotation order (the evaluation order)
 * @param predictions question id to predicted answer
 */
public record VqaFiles(List<VqaAccuracy.Question> questions, Map<Long, String> predictions) {

  /** Reads and cross-checks the three files. */
  public static VqaFiles read(Path questionsFile, Path annotationsFile, Path resultsFile) {
    JsonNode qRoot = EvalJson.read(questionsFile, "VQA question file");
    JsonNode qs = EvalJson.array(qRoot, "questions", questionsFile);
    Map<Long, JsonNode> questionById = new HashMap<>();
    for (int i = 0; i < qs.size(); i++) {
      questionById.put(EvalJson.id(qs.get(i), "question_id", questionsFile, i), qs.get(i));
    }
    boolean multipleChoice = "Multiple Choice".equals(qRoot.path("task_type").asText(null));

    List<VqaAccuracy.Question> questions = readAnnotations(annotationsFile);
    Set<Long> annotated = new HashSet<>();
    questions.forEach(q -> annotated.add(q.questionId()));

    JsonNode res = EvalJson.read(resultsFile, "VQA result file");
    EvalJson.requireArray(res, resultsFile);
    Map<Long, String> predictions = new LinkedHashMap<>();
    for (int i = 0; i < res.size(); i++) {
      long id = EvalJson.id(res.get(i), "question_id", resultsFile, i);
      String answer = EvalJson.text(res.get(i), "answer", resultsFile, i);
      if (!annotated.contains(id)) {
        throw new EvalInputException(resultsFile + ": result " + i + " answers question " + id + ", which is not in " + annotationsFile);
      }
      if (predictions.put(id, answer) != null) {
        throw new EvalInputException(resultsFile + ": question " + id + " has more than one result (second at index " + i + ")");
      }
      if (multipleChoice) {
        JsonNode choices = questionById.containsKey(id) ? questionById.get(id).get("multiple_choices") : null;
        boolean ok = false;
        if (choices != null) {
          for (JsonNode c : choices) {
            ok |= c.asText().equals(answer);
          }
        }
        if (!ok) {
          throw new EvalInputException(resultsFile + ": answer \"" + answer + "\" to question " + id + " is not one of its multiple_choices in " + questionsFile);
        }
      }
    }
    for (VqaAccuracy.Question q : questions) {
      if (!predictions.containsKey(q.questionId())) {
        throw new EvalInputException(resultsFile + ": no result for question " + q.questionId() + " of " + annotationsFile);
      }
    }
    return new VqaFiles(Collections.unmodifiableList(questions), Collections.unmodifiableMap(predictions));
  }

  /** The annotated questions of a VQA v2 annotation file, in file order. */
  public static List<VqaAccuracy.Question> readAnnotations(Path file) {
    JsonNode root = EvalJson.read(file, "VQA annotation file");
    JsonNode anns = EvalJson.array(root, "annotations", file);
    List<VqaAccuracy.Question> out = new ArrayList<>(anns.size());
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < anns.size(); i++) {
      JsonNode a = anns.get(i);
      long id = EvalJson.id(a, "question_id", file, i);
      if (!seen.add(id)) {
        throw new EvalInputException(file + ": question " + id + " is annotated twice (second at index " + i + ")");
      }
      JsonNode answers = EvalJson.array(a, "answers", file);
      List<VqaAccuracy.HumanAnswer> human = new ArrayList<>(answers.size());
      for (int j = 0; j < answers.size(); j++) {
        JsonNode h = answers.get(j);
        String what = "question " + id + " answer " + j;
        if (!h.path("answer").isTextual()) {
          throw new EvalInputException(file + ": " + what + " needs a string \"answer\"");
        }
        JsonNode conf = h.get("answer_confidence");
        JsonNode aid = h.get("answer_id");
        human.add(
            new VqaAccuracy.HumanAnswer(
                h.get("answer").asText(),
                conf == null || conf.isNull() ? null : conf.asText(),
                aid == null || !aid.canConvertToLong() ? null : aid.asLong()));
      }
      if (human.isEmpty()) {
        throw new EvalInputException(file + ": question " + id + " has no human answers");
      }
      out.add(new VqaAccuracy.Question(id, EvalJson.text(a, "question_type", file, i), EvalJson.text(a, "answer_type", file, i), List.copyOf(human)));
    }
    return out;
  }

  /** {@link VqaAccuracy#evaluate} of these files. */
  public VqaAccuracy.Result evaluate(VqaAccuracy.Version version) {
    return VqaAccuracy.evaluate(questions, predictions, version);
  }
}
