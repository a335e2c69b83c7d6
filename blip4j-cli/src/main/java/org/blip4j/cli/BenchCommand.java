package org.blip4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.blip4j.Blip4j;
import org.blip4j.generate.GenerationConfig;
import org.blip4j.generate.Generator;
import org.blip4j.image.ImagePreprocessor;
import org.blip4j.image.RgbImage;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.BlipConfig;
import org.blip4j.model.BlipRetrievalModel;
import org.blip4j.model.BlipVqaModel;
import org.blip4j.model.CrossAttentionContext;
import org.blip4j.model.TextConfig;
import org.blip4j.task.VqaModel;
import org.blip4j.text.BertTokenizer;
import org.blip4j.vision.VisionConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code blip bench}: median wall times of the BLIP-base workloads (random init, fp32) that the
 * HF transformers reference was measured on, with the ratio to the reference.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmark the BLIP-base architecture (random init, fp32) and compare with the HF reference timings.")
public final class BenchCommand implements Callable<Integer> {

  /** HF transformers reference medians on a 2-core machine (PyTorch fp32, 2 threads), seconds. */
  static final Map<String, Double> REFERENCE = new LinkedHashMap<>();

  static {
    REFERENCE.put("vision_b1", 2.04);
    REFERENCE.put("vision_b8", 11.66);
    REFERENCE.put("caption_beam3_b1", 25.75);
    REFERENCE.put("caption_beam3_b8", 112.5);
    REFERENCE.put("greedy_b1", 13.18);
    REFERENCE.put("itm_1x16", 6.48);
    REFERENCE.put("itc_16", 1.66);
    // HF's BlipForQuestionAnswering has no rank mode (salesforce/BLIP's rank_answer): no reference
    REFERENCE.put("vqa_rank_k128", Double.NaN);
  }

  @Spec CommandSpec spec;

  @Option(names = "--config", defaultValue = "base", description = "Architecture: base (ViT-B/16 @384 + BERT-base) or tiny (a smoke-test size). Default: ${DEFAULT-VALUE}.")
  String config;

  @Option(names = "--runs", defaultValue = "3", description = "Timed runs per workload (median reported). Default: ${DEFAULT-VALUE}.")
  int runs;

  @Option(names = "--warmup", defaultValue = "1", description = "Untimed warm-up runs per workload. Default: ${DEFAULT-VALUE}.")
  int warmup;

  @Option(names = "--only", split = ",", description = "Run only these workloads (comma-separated keys, e.g. vision_b1,itc_16).")
  List<String> only;

  @Option(names = "--json", description = "Print one JSON object of median seconds.")
  boolean json;

  @Option(names = "--data", description = "Benchmark data loading instead: JPEG decode + training transform from shards (samples/s at 96/224/384 px, 1 and 2 threads).")
  boolean data;

  @Option(names = "--train", description = "Benchmark pre-training steps instead (samples/s, batch 8, tiny and base at 224 px).")
  boolean train;

  @Override
  public Integer call() throws Exception {
    if (runs < 1 || warmup < 0) {
      throw new IllegalArgumentException("--runs must be >= 1 and --warmup >= 0");
    }
    if (only != null) {
      for (String k : only) {
        if (!REFERENCE.containsKey(k)) {
          throw new IllegalArgumentException("unknown workload '" + k + "' (known: " + String.join(", ", REFERENCE.keySet()) + ")");
        }
      }
    }
    if (train || data) {
      Blip4j.init();
      Map<String, Double> rates = train ? TrainBench.run(runs, warmup, 8, spec.commandLine().getErr()) : DataBench.run(runs, warmup, spec.commandLine().getErr());
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        rates.forEach(o::put);
        out.println(o);
      } else {
        out.printf(train ? "BLIP pre-training step (ITC+ITM+LM, AdamW, momentum + queue), fp32, %s threads, median of %d runs%n"
            : "JPEG shards -> decode + BLIP train transform via the data loader (%s torch threads unused), median of %d runs%n",
            System.getProperty("ai.djl.pytorch.num_threads", "?"), runs);
        rates.forEach((k, v) -> out.printf("%-18s %8.2f samples/s%n", k, v));
      }
      out.flush();
      return 0;
    }
    Blip4j.inferenceThread();
    BlipConfig cfg = switch (config) {
      case "base" -> new BlipConfig(VisionConfig.base(384), TextConfig.base(768), 512, 256, 2.6592, null);
      case "tiny" -> new BlipConfig(new VisionConfig(48, 96, 2, 4, 64, 16, 1e-5, "gelu"),
          new TextConfig(30524, 48, 48, 96, 2, 4, 64, 1e-12, "gelu", 30522, 0, 2, 102), 32, 32, 2.6592, null);
      default -> throw new IllegalArgumentException("--config must be base or tiny, got '" + config + "'");
    };
    PrintWriter err = spec.commandLine().getErr();
    Map<String, Double> medians = new LinkedHashMap<>();
    int threads = Integer.parseInt(System.getProperty("ai.djl.pytorch.num_threads", "0"));
    try (NDManager root = NDManager.newBaseManager()) {
      if (wants("vision_b1", "vision_b8", "caption_beam3_b1", "caption_beam3_b8", "greedy_b1")) {
        err.println("building BLIP-" + config + " captioning model (random init)...");
        try (BlipCaptioningModel cap = new BlipCaptioningModel(cfg, root)) {
          cap.parameters().initializeMissing(1, 0.02f);
          int s = cfg.vision().imageSize();
          GenerationConfig beam = GenerationConfig.beam(3, 20, 20);
          GenerationConfig greedy = new GenerationConfig(20, 20, 1, 1f, 1f, false, false, 1f, 50, 1f, 0, 1);
          Generator gen = new Generator(cap.textDecoder(), 102, 0);
          for (int b : new int[] {1, 8}) {
            time(medians, "vision_b" + b, root, m -> cap.imageEmbeds(pixels(m, b, s)), err);
            time(medians, "caption_beam3_b" + b, root, m -> {
              NDArray image = cap.imageEmbeds(pixels(m, b, s));
              CrossAttentionContext ctx = cap.textDecoder().bert().crossContext(image, null);
              check(gen.generate(ctx, new long[] {30522}, beam).sequences()[0].length, 20);
            }, err);
          }
          time(medians, "greedy_b1", root, m -> {
            NDArray image = cap.imageEmbeds(pixels(m, 1, s));
            CrossAttentionContext ctx = cap.textDecoder().bert().crossContext(image, null);
            check(gen.generate(ctx, new long[] {30522}, greedy).sequences()[0].length, 20);
          }, err);
        }
      }
      if (wants("itm_1x16", "itc_16")) {
        err.println("building BLIP-" + config + " retrieval model (random init)...");
        try (BlipRetrievalModel ret = new BlipRetrievalModel(cfg, root)) {
          ret.parameters().initializeMissing(2, 0.02f);
          int s = cfg.vision().imageSize();
          time(medians, "itm_1x16", root, m -> {
            NDArray image = ret.imageEmbeds(pixels(m, 1, s));
            CrossAttentionContext ctx = ret.textEncoder().crossContext(image, null);
            ret.itmLogits(ret.multimodalStates(texts(m, 16, 35, 30523), m.ones(new Shape(16, 35)), ctx)).softmax(-1).toFloatArray();
          }, err);
          time(medians, "itc_16", root, m -> ret.textFeatures(texts(m, 16, 35, 101), m.ones(new Shape(16, 35))).toFloatArray(), err);
        }
      }
      if (wants("vqa_rank_k128")) {
        err.println("building BLIP-" + config + " VQA model (random init)...");
        NDManager vqaRoot = root.newSubManager();
        BlipVqaModel model = new BlipVqaModel(cfg, vqaRoot);
        model.parameters().initializeMissing(3, 0.02f);
        try (VqaModel vqa = VqaModel.of(vqaRoot, model, BertTokenizer.bertBaseUncased(), new ImagePreprocessor(cfg.vision().imageSize()))) {
          // rank mode as BLIP evaluates VQAv2: 3 128 candidate answers, the top 128 by first token rescored in full
          VqaModel.AnswerCandidates answers = vqa.candidates(IntStream.range(0, 3128).mapToObj(i -> "answer " + i).toList());
          int s = cfg.vision().imageSize();
          byte[] rgb = new byte[s * s * 3];
          new Random(5).nextBytes(rgb);
          List<RgbImage> image = List.of(new RgbImage(s, s, rgb));
          time(medians, "vqa_rank_k128", root, m -> vqa.answerRankedDecoded(image, List.of("what is in the picture?"), answers, 128), err);
        }
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectNode o = new ObjectMapper().createObjectNode();
      medians.forEach(o::put);
      out.println(o);
    } else {
      out.printf("BLIP-%s, fp32, %d threads, %d runs (median) after %d warm-up%n", config, threads, runs, warmup);
      out.printf("%-18s %10s %12s %8s%n", "workload", "blip4j s", "HF ref s", "speedup");
      for (Map.Entry<String, Double> e : medians.entrySet()) {
        double ref = REFERENCE.get(e.getKey());
        if (Double.isNaN(ref)) {
          out.printf("%-18s %10.3f %12s %8s%n", e.getKey(), e.getValue(), "–", "–");
        } else {
          out.printf("%-18s %10.3f %12.2f %7.2fx%n", e.getKey(), e.getValue(), ref, ref / e.getValue());
        }
      }
      if (!config.equals("base")) {
        out.println("(reference numbers are for --config base; ratios are meaningless for other sizes)");
      }
    }
    out.flush();
    return 0;
  }

  private boolean wants(String... keys) {
    if (only == null) {
      return true;
    }
    for (String k : keys) {
      if (only.contains(k)) {
        return true;
      }
    }
    return false;
  }

  private void time(Map<String, Double> medians, String key, NDManager root, Consumer<NDManager> work, PrintWriter err) {
    if (!wants(key)) {
      return;
    }
    double[] t = new double[runs];
    for (int i = -warmup; i < runs; i++) {
      try (NDManager m = root.newSubManager()) {
        long t0 = System.nanoTime();
        work.accept(m);
        double sec = (System.nanoTime() - t0) / 1e9;
        if (i >= 0) {
          t[i] = sec;
        }
        err.printf("  %-18s %s %.3f s%n", key, i < 0 ? "warm-up" : "run " + (i + 1), sec);
        err.flush();
      }
    }
    Arrays.sort(t);
    medians.put(key, runs % 2 == 1 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2);
  }

  private static void check(int length, int expected) {
    if (length != expected) {
      throw new IllegalStateException("benchmark generated " + length + " tokens, expected " + expected);
    }
  }

  private static NDArray pixels(NDManager m, int b, int s) {
    Random r = new Random(7);
    float[] v = new float[b * 3 * s * s];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return m.create(v, new Shape(b, 3, s, s));
  }

  private static NDArray texts(NDManager m, int n, int len, long first) {
    Random r = new Random(11);
    long[] ids = new long[n * len];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < len; j++) {
        ids[i * len + j] = j == 0 ? first : j == len - 1 ? 102 : 1000 + r.nextInt(28000);
      }
    }
    return m.create(ids, new Shape(n, len));
  }
}
