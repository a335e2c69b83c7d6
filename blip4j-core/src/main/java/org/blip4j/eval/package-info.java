/**
 * Evaluation metrics that reproduce the reference Python evaluators exactly (verified against the
 * golden fixtures in {@code shared/fixtures/metrics}):
 *
 * <ul>
 *   <li>captioning: {@link org.blip4j.eval.CaptionMetrics} (pycocoevalcap's {@code COCOEvalCap}:
 *       {@link org.blip4j.eval.Bleu BLEU-1..4}, {@link org.blip4j.eval.RougeL ROUGE-L}, {@link
 *       org.blip4j.eval.CiderD CIDEr-D}) after the {@link org.blip4j.eval.PtbTokenizer Stanford PTB
 *       tokenization}; inputs via {@link org.blip4j.eval.CocoCaptionFiles};
 *   <li>VQA: {@link org.blip4j.eval.VqaAccuracy} (official and LAVIS versions) with {@link
 *       org.blip4j.eval.VqaNormalization}; inputs via {@link org.blip4j.eval.VqaFiles};
 *   <li>retrieval: {@link org.blip4j.eval.RetrievalMetrics} (BLIP {@code itm_eval});
 *   <li>NLVR: {@link org.blip4j.eval.ClassificationAccuracy}.
 * </ul>
 *
 * Bad inputs raise {@link org.blip4j.eval.EvalInputException} (files) or {@link
 * IllegalArgumentException} (in-memory data) naming the file, image or question at fault. Nothing
 * here prints; CoreNLP reports the first untokenizable character of a batch through {@code
 * java.util.logging}.
 */
package org.blip4j.eval;
