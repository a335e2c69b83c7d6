/**
 * Evaluation metrics; those of BLIP's tasks reproduce the reference Python evaluators exactly (verified
 * against the golden fixtures in {@code shared/fixtures/metrics}):
 *
 * <ul>
 *   <li>captioning: {@link org.blip4j.eval.CaptionMetrics} (pycocoevalcap's {@code COCOEvalCap}:
 *       {@link org.blip4j.eval.Bleu BLEU-1..4}, {@link org.blip4j.eval.RougeL ROUGE-L}, {@link
 *       org.blip4j.eval.CiderD CIDEr-D}) after the {@link org.blip4j.eval.PtbTokenizer Stanford PTB
 *       tokenization}; inputs via {@link org.blip4j.eval.CocoCaptionFiles};
 *   <li>VQA: {@link org.blip4j.eval.VqaAccuracy} (official and LAVIS versions) with {@link
 *       org.blip4j.eval.VqaNormalization}; inputs via {@link org.blip4j.eval.VqaFiles};
 *   <li>retrieval: {@link org.blip4j.eval.RetrievalMetrics} (BLIP {@code itm_eval});
 *   <li>NLVR: {@link org.blip4j.eval.ClassificationAccuracy};
 *   <li>any scored yes/no decision (CapFilt's filter, the vision warm-up's labels): {@link
 *       org.blip4j.eval.BinaryScores} — ROC AUC and the operating point of each threshold.
 * </ul>
 *
 * The pipelines that run a model over an annotated split and report these metrics under the
 * reference code's names ({@code blip eval}): {@link org.blip4j.eval.RetrievalEvaluation},
 * {@link org.blip4j.eval.CaptionEvaluation}, {@link org.blip4j.eval.VqaEvaluation}, {@link
 * org.blip4j.eval.NlvrEvaluation}; each returns an {@link org.blip4j.eval.EvalResult} with per-sample
 * details, skips bad samples with a count and reports progress through {@link
 * org.blip4j.eval.EvalProgress}.
 *
 * <p>Bad inputs raise {@link org.blip4j.eval.EvalInputException} (files) or {@link
 * IllegalArgumentException} (in-memory data) naming the file, image or question at fault. Nothing
 * here prints; CoreNLP reports the first untokenizable character of a batch through {@code
 * java.util.logging}.
 */
package org.blip4j.eval;
