package org.blip4j.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.blip4j.generate.GenerationConfig;
import org.blip4j.generate.GenerationResult;
import org.blip4j.generate.Generator;
import org.blip4j.image.ImagePreprocessor;
import org.blip4j.image.RgbImage;
import org.blip4j.model.BlipVqaModel;
import org.blip4j.model.CrossAttentionContext;
import org.blip4j.model.TextDecoder;
import org.blip4j.text.BatchEncoding;
import org.blip4j.text.BertTokenizer;
import org.blip4j.text.Padding;

/**
 * Visual question answering with a {@code BlipForQuestionAnswering} model: the question is encoded
 * image-grounded with {@code [ENC]} first (original BLIP). Two modes, as {@code BLIP_VQA.forward}:
 *
 * <ul>
 *   <li>generate ({@link #answer}): the answer decoder starts from {@code [DEC]} cross-attending to
 *       all question positions (padding included, as the original's generate call);
 *   <li>rank ({@link #answerRanked}, {@code rank_answer}): over a closed answer list, the decoder's
 *       {@code [DEC]} step (question padding masked) gives each answer the probability of its first
 *       token; the {@code k} answers with the highest are re-scored by the whole sequence — the
 *       negated label-smoothed (0.1) LM loss summed over the answer's tokens after {@code [DEC]}
 *       (its first token and {@code [SEP]} included, padding ignored) — and the best one wins. As
 *       in the original, the first-token probability selects the candidates but is not added to the
 *       score (the sequence loss already contains the first token).
 * </ul>
 *
 * Thread-safe.
 */
public final class VqaModel extends BlipTask<BlipVqaModel> {
  /** BLIP's question length limit. */
  public static final int MAX_QUESTION_LENGTH = 35;

  /** One answer; {@code tokenIds} as HF returns them ([DEC] ... [SEP]). */
  public record Answer(String answer, long[] tokenIds) {}

  /** BLIP's {@code k_test}: answers re-scored per question in rank mode. */
  public static final int DEFAULT_K_TEST = 128;

  /** Rank mode's questions scored per decoder pass: about this many candidate rows at once (k per question). */
  private static final int RANK_ROWS_PER_PASS = 128;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A rank-mode answer.
   *
   * @param answer the chosen entry of the answer list
   * @param index its position in the list
   * @param candidates the list positions re-scored (the top k by first-token probability, best first)
   * @param scores each candidate's score (−label-smoothed sequence loss), aligned with {@code candidates}
   */
  public record RankedAnswer(String answer, int index, int[] candidates, float[] scores) {}

  /** A closed answer list tokenised once for rank mode: {@code [DEC]} answer {@code [SEP]}, padded to the longest. */
  public static final class AnswerCandidates {
    private final List<String> answers;
    private final int[][] ids;
    private final int[] length;

    private AnswerCandidates(List<String> answers, BertTokenizer tokenizer) {
      this.answers = List.copyOf(answers);
      BatchEncoding enc = tokenizer.encodeBatch(answers, Padding.LONGEST, false, 0).withFirstToken(tokenizer.decId());
      this.ids = enc.inputIds();
      this.length = new int[ids.length];
      int[][] mask = enc.attentionMask();
      for (int i = 0; i < ids.length; i++) {
        for (int m : mask[i]) {
          length[i] += m;
        }
      }
    }

    /** The answers, in list order. */
    public List<String> answers() {
      return answers;
    }

    /** Number of answers. */
    public int size() {
      return answers.size();
    }

    /** The first answer token of each entry (the id after {@code [DEC]}; {@code [SEP]} for an answer without word pieces). */
    long firstToken(int i) {
      return ids[i][1];
    }
  }

  /**
   * Validates {@code answers} (non-empty; no null, blank or repeated entry — each error names the
   * position) and tokenises them for {@link #answerRanked}.
   */
  public AnswerCandidates candidates(List<String> answers) {
    return candidates(answers, "answer list");
  }

  private AnswerCandidates candidates(List<String> answers, String what) {
    validateAnswerList(answers, what);
    return new AnswerCandidates(answers, tokenizer);
  }

  /** Checks an answer list: non-empty, no null, blank or repeated entry; {@code what} names it in the error. */
  public static void validateAnswerList(List<String> answers, String what) {
    if (answers == null || answers.isEmpty()) {
      throw new IllegalArgumentException(what + " is empty: rank mode needs at least one candidate answer");
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < answers.size(); i++) {
      String a = answers.get(i);
      if (a == null || a.isBlank()) {
        throw new IllegalArgumentException(what + ": entry " + i + " is " + (a == null ? "null" : "blank") + "; every answer must be a non-empty string");
      }
      Integer prev = seen.putIfAbsent(a, i);
      if (prev != null) {
        throw new IllegalArgumentException(what + ": \"" + a + "\" is listed twice (entries " + prev + " and " + i + ")");
      }
    }
  }

  /**
   * The answers of an {@code answer_list.json}: a JSON array of distinct non-blank strings. Every
   * error names the file and, where it applies, the entry at fault.
   */
  public static List<String> readAnswerList(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("answer list not found: " + file + " (expected a JSON array of answer strings, e.g. answer_list.json)");
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("answer list " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read answer list " + file + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isArray()) {
      throw new IllegalArgumentException("answer list " + file + ": expected a JSON array of answer strings at the top level, got "
          + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase(Locale.ROOT)));
    }
    List<String> out = new ArrayList<>(root.size());
    for (int i = 0; i < root.size(); i++) {
      JsonNode n = root.get(i);
      if (!n.isTextual()) {
        throw new IllegalArgumentException("answer list " + file + ": entry " + i + " must be a string, got " + n);
      }
      out.add(n.asText());
    }
    validateAnswerList(out, "answer list " + file);
    return out;
  }

  private VqaModel(Loaded<BlipVqaModel> l) {
    super(l.root(), l.model(), l.tokenizer(), l.preprocessor());
  }

  /** Loads an HF {@code BlipForQuestionAnswering} directory. */
  public static VqaModel load(Path modelDir) throws IOException {
    return new VqaModel(loadDirectory(modelDir, BlipVqaModel.class, "visual question answering"));
  }

  /** Loads an original salesforce/BLIP {@code .pth} with its BERT config {@code medConfig} (null: beside the file), or an HF directory. */
  public static VqaModel load(Path modelDir, Path medConfig) throws IOException {
    return new VqaModel(loadDirectory(modelDir, medConfig, BlipVqaModel.class, "visual question answering"));
  }

  /** Wraps an already built model. */
  public static VqaModel of(NDManager root, BlipVqaModel model, BertTokenizer tokenizer, ImagePreprocessor preprocessor) {
    return new VqaModel(new Loaded<>(root, model, tokenizer, preprocessor));
  }

  /** BLIP's VQA decoding: beam 3, max 10, min 1. */
  public static GenerationConfig defaultGeneration() {
    return GenerationConfig.beam(3, 10, 1);
  }

  /** Answers one question about one image with the default decoding. */
  public Answer answer(ImageInput image, String question) {
    return answer(List.of(image), List.of(question), defaultGeneration()).get(0);
  }

  /** Answers {@code questions[i]} about {@code images[i]}. */
  public List<Answer> answer(List<ImageInput> images, List<String> questions, GenerationConfig cfg) {
    return answerDecoded(decodeAll(images), questions, cfg);
  }

  /** Answers questions about decoded images (same length lists). */
  public List<Answer> answerDecoded(List<RgbImage> images, List<String> questions, GenerationConfig cfg) {
    if (images.size() != questions.size()) {
      throw new IllegalArgumentException(images.size() + " images but " + questions.size() + " questions");
    }
    if (images.isEmpty()) {
      return List.of();
    }
    BatchEncoding enc = encodeQuestions(questions);
    try (NDManager m = callScope()) {
      NDArray embeds = model.imageEmbeds(pixels(m, images));
      Shape qs = new Shape(questions.size(), enc.sequenceLength());
      NDArray question = model.questionStates(embeds, m.create(enc.flatInputIds(), qs), m.create(enc.flatAttentionMask(), qs));
      CrossAttentionContext ctx = model.textDecoder().bert().crossContext(question, null);
      GenerationResult res = new Generator(model.textDecoder(), model.config().text().sepTokenId(), model.config().text().padTokenId())
          .generate(ctx, new long[] {model.config().text().bosTokenId()}, cfg);
      List<Answer> out = new ArrayList<>();
      int n = res.sequences().length / images.size();
      for (int i = 0; i < images.size(); i++) {
        long[] ids = res.sequences()[i * n];
        out.add(new Answer(tokenizer.decode(ids, true, true), ids));
      }
      return out;
    }
  }

  private BatchEncoding encodeQuestions(List<String> questions) {
    return tokenizer.encodeBatch(questions, Padding.LONGEST, true, MAX_QUESTION_LENGTH).withFirstToken(tokenizer.encId());
  }

  /** Rank mode over {@code answerList} with {@code k} candidates per question (see the class comment). */
  public List<RankedAnswer> answerRanked(List<ImageInput> images, List<String> questions, List<String> answerList, int k) {
    return answerRankedDecoded(decodeAll(images), questions, candidates(answerList), k);
  }

  /**
   * Rank mode ({@code BLIP_VQA.rank_answer}): answers {@code questions[i]} about {@code images[i]} with
   * the best of the {@code k} answers whose first token is most probable. {@code k} larger than the list
   * is the list's size. Ties in first-token probability keep list order.
   */
  public List<RankedAnswer> answerRankedDecoded(List<RgbImage> images, List<String> questions, AnswerCandidates answers, int k) {
    if (images.size() != questions.size()) {
      throw new IllegalArgumentException(images.size() + " images but " + questions.size() + " questions");
    }
    if (k < 1) {
      throw new IllegalArgumentException("k (candidate answers re-scored per question) must be >= 1, got " + k);
    }
    if (images.isEmpty()) {
      return List.of();
    }
    int q = questions.size();
    int a = answers.size();
    int kk = Math.min(k, a);
    BatchEncoding enc = encodeQuestions(questions);
    TextDecoder decoder = model.textDecoder();
    List<RankedAnswer> out = new ArrayList<>(q);
    try (NDManager m = callScope()) {
      Shape qs = new Shape(q, enc.sequenceLength());
      NDArray qMask = m.create(enc.flatAttentionMask(), qs);
      NDArray states = model.questionStates(model.imageEmbeds(pixels(m, images)), m.create(enc.flatInputIds(), qs), qMask);
      // first-token probabilities: one [DEC] step over the question states (question padding masked)
      float[] probs = new float[q * a]; // [Q, A]
      try (NDManager step = m.newSubManager()) {
        long[] start = new long[q];
        Arrays.fill(start, tokenizer.decId());
        NDArray st = states.duplicate();
        st.attach(step);
        CrossAttentionContext ctx = decoder.bert().crossContext(st, qMask);
        float[] vocab = decoder.forward(step.create(start, new Shape(q, 1)), null, ctx, null, false, true).logits().softmax(-1).toFloatArray();
        int v = vocab.length / q;
        for (int i = 0; i < q; i++) {
          for (int j = 0; j < a; j++) {
            probs[i * a + j] = vocab[i * v + (int) answers.firstToken(j)];
          }
        }
      }
      int[][] top = new int[q][];
      for (int i = 0; i < q; i++) {
        top[i] = topK(probs, i * a, a, kk);
      }
      // full-sequence scores of the k candidates, a few questions per pass, each pass in its own scope
      int perPass = Math.max(1, RANK_ROWS_PER_PASS / kk);
      float[] scores = new float[q * kk];
      for (int q0 = 0; q0 < q; q0 += perPass) {
        int n = Math.min(perPass, q - q0);
        int len = 0;
        for (int i = q0; i < q0 + n; i++) {
          for (int c : top[i]) {
            len = Math.max(len, answers.length[c]);
          }
        }
        long[] ids = new long[n * kk * len];
        long[] mask = new long[ids.length];
        long[] labels = new long[ids.length];
        Arrays.fill(labels, TextDecoder.IGNORE_INDEX);
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < kk; j++) {
            int c = top[q0 + i][j];
            int row = (i * kk + j) * len;
            for (int t = 0; t < answers.length[c]; t++) {
              ids[row + t] = answers.ids[c][t];
              mask[row + t] = 1;
              labels[row + t] = answers.ids[c][t];
            }
          }
        }
        try (NDManager pass = m.newSubManager()) {
          NDIndex rows = new NDIndex(q0 + ":" + (q0 + n));
          NDArray st = states.get(rows).duplicate();
          st.attach(pass);
          // each question's context row serves its k consecutive candidate rows
          NDArray mk = qMask.get(rows);
          mk.attach(pass);
          CrossAttentionContext ctx = decoder.bert().crossContext(st, mk);
          Shape s = new Shape((long) n * kk, len);
          float[] sc = decoder.labelledSequenceLoss(pass.create(ids, s), pass.create(mask, s), ctx, pass.create(labels, s), TextDecoder.LABEL_SMOOTHING)
              .neg().toFloatArray();
          System.arraycopy(sc, 0, scores, q0 * kk, sc.length);
        }
      }
      for (int i = 0; i < q; i++) {
        int best = 0;
        for (int j = 1; j < kk; j++) {
          if (scores[i * kk + j] > scores[i * kk + best]) {
            best = j;
          }
        }
        int idx = top[i][best];
        out.add(new RankedAnswer(answers.answers().get(idx), idx, top[i], Arrays.copyOfRange(scores, i * kk, (i + 1) * kk)));
      }
    }
    return out;
  }

  /** Indices of the {@code k} largest of {@code v[off, off + n)}, largest first, ties in index order. */
  private static int[] topK(float[] v, int off, int n, int k) {
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Float.compare(v[off + y], v[off + x])); // stable: equal values keep list order
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      out[i] = order[i];
    }
    return out;
  }
}
