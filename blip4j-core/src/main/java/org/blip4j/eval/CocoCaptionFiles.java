package org.blip4j.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inputs of a COCO caption evaluation as pycocotools loads them: the annotation file ({@code
 * {"images": [{id, ...}], "annotations": [{image_id, id, caption}]}}) gives the images in {@code
 * "images"} order and each image's reference captions in annotation order; the result file ({@code
 * [{"image_id", "caption"}]}, any order) gives one candidate per image. Unlike pycocotools, which
 * asserts or silently pairs wrongly, every inconsistency is an {@link EvalInputException} naming the
 * file and the id: a result or annotation for an image not in {@code "images"}, two results for
 * one image, a missing or non-string caption, malformed JSON.
 *
 * @param references image id to its raw reference captions, in {@code "images"} order
 * @param candidates image id to its raw candidate caption
 */
public record CocoCaptionFiles(Map<Long, List<String>> references, Map<Long, String> candidates) {

  /** Reads an annotation file and a result file. */
  public static CocoCaptionFiles read(Path annotations, Path results) {
    Map<Long, List<String>> refs = readAnnotations(annotations);
    return new CocoCaptionFiles(refs, readResults(results, refs));
  }

  /** Image id to reference captions, images in {@code "images"} order (images without captions map to an empty list). */
  public static Map<Long, List<String>> readAnnotations(Path file) {
    JsonNode root = EvalJson.read(file, "caption annotation file");
    JsonNode images = EvalJson.array(root, "images", file);
    JsonNode anns = EvalJson.array(root, "annotations", file);
    Map<Long, List<String>> refs = new LinkedHashMap<>();
    for (int i = 0; i < images.size(); i++) {
      long id = EvalJson.id(images.get(i), "id", file, i);
      if (refs.putIfAbsent(id, new ArrayList<>()) != null) {
        throw new EvalInputException(file + ": image id " + id + " listed twice in \"images\"");
      }
    }
    for (int i = 0; i < anns.size(); i++) {
      JsonNode a = anns.get(i);
      long imageId = EvalJson.id(a, "image_id", file, i);
      List<String> list = refs.get(imageId);
      if (list == null) {
        throw new EvalInputException(file + ": annotation " + i + " (id " + a.get("id") + ") is for image " + imageId + " which is not in \"images\"");
      }
      list.add(EvalJson.text(a, "caption", file, i));
    }
    Map<Long, List<String>> out = new LinkedHashMap<>();
    refs.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(out);
  }

  /** Image id to candidate caption; every image must be a key of {@code references}. */
  public static Map<Long, String> readResults(Path file, Map<Long, ? extends List<String>> references) {
    JsonNode root = EvalJson.read(file, "caption result file");
    EvalJson.requireArray(root, file);
    Map<Long, String> out = new LinkedHashMap<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode r = root.get(i);
      long imageId = EvalJson.id(r, "image_id", file, i);
      if (!references.containsKey(imageId)) {
        throw new EvalInputException(file + ": result " + i + " is for image " + imageId + ", which is not in the annotation file");
      }
      if (out.put(imageId, EvalJson.text(r, "caption", file, i)) != null) {
        throw new EvalInputException(file + ": image " + imageId + " has more than one result (second at index " + i + ")");
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Only the images that have a result, in annotation order: what BLIP evaluates ({@code
   * coco_eval.params['image_id'] = coco_result.getImgIds()}).
   */
  public CocoCaptionFiles onlyImagesWithResults() {
    Map<Long, List<String>> refs = new LinkedHashMap<>();
    references.forEach(
        (id, r) -> {
          if (candidates.containsKey(id)) {
            refs.put(id, r);
          }
        });
    return new CocoCaptionFiles(Collections.unmodifiableMap(refs), candidates);
  }

  /** {@link CaptionMetrics#evaluate} over all images of the annotation file. */
  public CaptionMetrics.Result<Long> evaluate() {
    return CaptionMetrics.evaluate(references, candidates);
  }
}
