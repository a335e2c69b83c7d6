package org.blip4j.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One image-text record as read from any supported format.
 *
 * <p>How the annotation kinds map onto it:
 *
 * <ul>
 *   <li>caption train ({@code {"image","caption"}}): one caption;
 *   <li>caption/retrieval test ({@code "caption": [...]}): all captions, in file order;
 *   <li>VQA: {@code captions = [question]}, {@code meta} holds {@code question_id}, {@code question} and
 *       {@code answer} (a {@code List<String>}, possibly empty for test questions);
 *   <li>NLVR: {@code image} is the first image, {@code captions = [sentence]}, {@code meta} holds
 *       {@code images} (both {@link ImageRef}s) and {@code label} (a {@code Boolean});
 *   <li>shards: the {@code .txt} member is the caption, the {@code .json} member becomes {@code meta}.
 * </ul>
 *
 * <p>Any other keys of a JSON record are kept in {@code meta} as Jackson-converted Java values.
 *
 * @param key unique within one source (shard key, VQA question id, or {@code image#index})
 */
public record Sample(String key, ImageRef image, List<String> captions, Map<String, Object> meta) {
  public Sample {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(image, "image");
    captions = List.copyOf(captions);
    meta = Collections.unmodifiableMap(new LinkedHashMap<>(meta));
  }

  /** The first caption (the only one for train records). */
  public String caption() {
    return captions.isEmpty() ? "" : captions.get(0);
  }
}
