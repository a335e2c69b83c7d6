package org.blip4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one salesforce/BLIP annotation record (JSON object) into a {@link Sample}; shared by the
 * JSON-list and JSONL readers. The kind is recognised from its fields: {@code images} → NLVR,
 * {@code question} → VQA, otherwise {@code caption} (a string or a list of strings).
 */
final class AnnotationRecords {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private AnnotationRecords() {}

  /** Thrown for a record that lacks or mistypes a required field. */
  static final class MalformedRecord extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedRecord(String message) {
      super(message);
    }
  }

  /**
   * @param index position of the record in its file (0-based), used in the key
   * @param where {@code file:position} label for errors
   */
  static Sample toSample(JsonNode rec, long index, Path imageRoot, String where) throws MalformedRecord {
    if (!rec.isObject()) {
      throw new MalformedRecord(where + ": expected a JSON object, got " + rec.getNodeType());
    }
    Map<String, Object> meta = new LinkedHashMap<>();
    if (rec.has("images")) { // NLVR
      JsonNode imgs = rec.get("images");
      if (!imgs.isArray() || imgs.size() != 2 || !imgs.get(0).isTextual() || !imgs.get(1).isTextual()) {
        throw new MalformedRecord(where + ": NLVR \"images\" must be a list of two path strings");
      }
      String sentence = text(rec, "sentence", where);
      JsonNode label = rec.get("label");
      Boolean value = label == null ? null
          : label.isBoolean() ? Boolean.valueOf(label.booleanValue())
          : "true".equalsIgnoreCase(label.asText()) ? Boolean.TRUE
          : "false".equalsIgnoreCase(label.asText()) ? Boolean.FALSE : null;
      if (value == null) {
        throw new MalformedRecord(where + ": NLVR \"label\" must be True or False");
      }
      ImageRef a = new ImageRef.File(imageRoot.resolve(imgs.get(0).asText()));
      ImageRef b = new ImageRef.File(imageRoot.resolve(imgs.get(1).asText()));
      copyOthers(rec, meta, "images", "sentence", "label");
      meta.put("images", List.of(a, b));
      meta.put("label", value);
      return new Sample(imgs.get(0).asText() + "#" + index, a, List.of(sentence), meta);
    }
    String image = text(rec, "image", where);
    ImageRef ref = new ImageRef.File(imageRoot.resolve(image));
    if (rec.has("question")) { // VQA
      String question = text(rec, "question", where);
      List<String> answers = new ArrayList<>();
      JsonNode ans = rec.get("answer");
      if (ans != null && ans.isArray()) {
        for (JsonNode a : ans) {
          if (!a.isTextual()) {
            throw new MalformedRecord(where + ": VQA \"answer\" must be a list of strings");
          }
          answers.add(a.asText());
        }
      } else if (ans != null && ans.isTextual()) {
        answers.add(ans.asText());
      } else if (ans != null && !ans.isNull()) {
        throw new MalformedRecord(where + ": VQA \"answer\" must be a list of strings");
      }
      copyOthers(rec, meta, "image", "answer");
      meta.put("answer", List.copyOf(answers));
      JsonNode qid = rec.get("question_id");
      String key = qid != null && !qid.isNull() ? qid.asText() : image + "#" + index;
      return new Sample(key, ref, List.of(question), meta);
    }
    JsonNode cap = rec.get("caption");
    List<String> captions = new ArrayList<>();
    if (cap == null || cap.isNull()) {
      throw new MalformedRecord(where + ": missing \"caption\" (expected a string or a list of strings)");
    } else if (cap.isTextual()) {
      captions.add(cap.asText());
    } else if (cap.isArray()) {
      for (JsonNode c : cap) {
        if (!c.isTextual()) {
          throw new MalformedRecord(where + ": \"caption\" list must hold strings, found " + c.getNodeType());
        }
        captions.add(c.asText());
      }
    } else {
      throw new MalformedRecord(where + ": \"caption\" must be a string or a list of strings, got " + cap.getNodeType());
    }
    copyOthers(rec, meta, "image", "caption");
    return new Sample(image + "#" + index, ref, captions, meta);
  }

  private static String text(JsonNode rec, String field, String where) throws MalformedRecord {
    JsonNode n = rec.get(field);
    if (n == null || !n.isTextual()) {
      throw new MalformedRecord(where + ": missing or non-string \"" + field + "\"");
    }
    return n.asText();
  }

  private static void copyOthers(JsonNode rec, Map<String, Object> meta, String... skip) {
    List<String> skipped = List.of(skip);
    for (Map.Entry<String, JsonNode> e : rec.properties()) {
      if (!skipped.contains(e.getKey())) {
        meta.put(e.getKey(), MAPPER.convertValue(e.getValue(), Object.class));
      }
    }
  }
}
