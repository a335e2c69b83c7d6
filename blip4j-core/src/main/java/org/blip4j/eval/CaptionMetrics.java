package org.blip4j.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The caption scores of pycocoevalcap's {@code COCOEvalCap.evaluate()} without METEOR and SPICE:
 * {@code Bleu_1..4} ({@link Bleu}), {@code ROUGE_L} ({@link RougeL}) and {@code CIDEr} ({@link
 * CiderD}), corpus values ({@code eval}) and per image ({@code evalImgs}). References and
 * candidates are tokenized by {@link PtbTokenizer} in two batches, all references (image order, then
 * reference order) and all candidates (image order), as the Python does; the batch matters (see
 * {@link PtbTokenizer}).
 *
 * <p>The evaluated images are the keys of the reference map in its iteration order (pycocotools'
 * {@code getImgIds()}: the order of {@code "images"}; pass a {@link LinkedHashMap}); each needs at
 * least one reference and exactly one candidate. The order changes nothing but the last bits of
 * the corpus means. BLIP evaluates only the images that have a result: see {@link
 * CocoCaptionFiles#onlyImagesWithResults()}.
 */
public final class CaptionMetrics {
  /** The metric names, pycocoevalcap's keys, in its order. */
  public static final List<String> METRICS = List.of("Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr");

  private CaptionMetrics() {}

  /**
   * Scores of one evaluation.
   *
   * @param corpus metric name ({@link #METRICS}) to corpus value
   * @param perImage image id (evaluation order) to metric name to value
   * @param bleu BLEU counts and values
   * @param rouge ROUGE-L values
   * @param cider CIDEr-D values and per-order sums
   * @param tokenizedReferences what the scorers saw
   * @param tokenizedCandidates what the scorers saw
   */
  public record Result<K>(
      Map<String, Double> corpus,
      Map<K, Map<String, Double>> perImage,
      Bleu.Result bleu,
      RougeL.Result rouge,
      CiderD.Result cider,
      Map<K, List<String>> tokenizedReferences,
      Map<K, String> tokenizedCandidates) {}

  /**
   * Tokenizes raw captions with {@link PtbTokenizer} and scores them.
   *
   * @param references image id to its raw reference captions, in evaluation order
   * @param candidates image id to its raw candidate caption
   * @throws IllegalArgumentException naming the image when a candidate is for an image without
   *     references, an image has no candidate, or an image has no reference
   */
  public static <K> Result<K> evaluate(Map<K, ? extends List<String>> references, Map<K, String> candidates) {
    check(references, candidates);
    List<String> flatRefs = new ArrayList<>();
    for (List<String> refs : references.values()) {
      flatRefs.addAll(refs);
    }
    List<String> flatCands = new ArrayList<>(references.size());
    for (K id : references.keySet()) {
      flatCands.add(candidates.get(id));
    }
    List<String> tokRefs = PtbTokenizer.tokenize(flatRefs);
    List<String> tokCands = PtbTokenizer.tokenize(flatCands);
    Map<K, List<String>> refsOut = new LinkedHashMap<>();
    Map<K, String> candsOut = new LinkedHashMap<>();
    int at = 0;
    int img = 0;
    for (Map.Entry<K, ? extends List<String>> e : references.entrySet()) {
      int n = e.getValue().size();
      refsOut.put(e.getKey(), List.copyOf(tokRefs.subList(at, at + n)));
      candsOut.put(e.getKey(), tokCands.get(img++));
      at += n;
    }
    return evaluateTokenized(refsOut, candsOut);
  }

  /** Scores already-tokenized captions (the strings the Python scorers receive). */
  public static <K> Result<K> evaluateTokenized(Map<K, ? extends List<String>> references, Map<K, String> candidates) {
    check(references, candidates);
    List<List<String>> refs = new ArrayList<>(references.size());
    List<String> cands = new ArrayList<>(references.size());
    for (Map.Entry<K, ? extends List<String>> e : references.entrySet()) {
      refs.add(List.copyOf(e.getValue()));
      cands.add(candidates.get(e.getKey()));
    }
    Bleu.Result bleu = Bleu.score(refs, cands);
    RougeL.Result rouge = RougeL.score(refs, cands);
    CiderD.Result cider = CiderD.score(refs, cands);

    Map<String, Double> corpus = new LinkedHashMap<>();
    for (int k = 0; k < Bleu.N; k++) {
      corpus.put(METRICS.get(k), bleu.corpus()[k]);
    }
    corpus.put("ROUGE_L", rouge.corpus());
    corpus.put("CIDEr", cider.corpus());

    Map<K, Map<String, Double>> perImage = new LinkedHashMap<>();
    Map<K, List<String>> refsOut = new LinkedHashMap<>();
    Map<K, String> candsOut = new LinkedHashMap<>();
    int i = 0;
    for (K id : references.keySet()) {
      Map<String, Double> m = new LinkedHashMap<>();
      for (int k = 0; k < Bleu.N; k++) {
        m.put(METRICS.get(k), bleu.perImage().get(i)[k]);
      }
      m.put("ROUGE_L", rouge.perImage()[i]);
      m.put("CIDEr", cider.perImage()[i]);
      perImage.put(id, Collections.unmodifiableMap(m));
      refsOut.put(id, refs.get(i));
      candsOut.put(id, cands.get(i));
      i++;
    }
    return new Result<>(
        Collections.unmodifiableMap(corpus),
        Collections.unmodifiableMap(perImage),
        bleu,
        rouge,
        cider,
        Collections.unmodifiableMap(refsOut),
        Collections.unmodifiableMap(candsOut));
  }

  private static <K> void check(Map<K, ? extends List<String>> references, Map<K, String> candidates) {
    if (references.isEmpty()) {
      throw new IllegalArgumentException("no images to evaluate (reference map is empty)");
    }
    for (K id : candidates.keySet()) {
      if (!references.containsKey(id)) {
        throw new IllegalArgumentException("candidate for image " + id + " which has no references");
      }
    }
    for (Map.Entry<K, ? extends List<String>> e : references.entrySet()) {
      if (e.getValue() == null || e.getValue().isEmpty()) {
        throw new IllegalArgumentException("image " + e.getKey() + " has no reference caption");
      }
      if (candidates.get(e.getKey()) == null) {
        throw new IllegalArgumentException("image " + e.getKey() + " has no candidate caption");
      }
    }
  }
}
