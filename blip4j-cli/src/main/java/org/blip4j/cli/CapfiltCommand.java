package org.blip4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.blip4j.capfilt.CapFilt;
import org.blip4j.capfilt.CapFiltConfig;
import org.blip4j.capfilt.CapFiltListener;
import org.blip4j.capfilt.CapFiltReport;
import org.blip4j.capfilt.CaptionFilter;
import org.blip4j.capfilt.ShapesOracle;
import org.blip4j.capfilt.SyntheticCaptioner;
import org.blip4j.task.Captioner;
import org.blip4j.task.ImageTextMatcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code blip capfilt}: BLIP's CapFilt over a web dataset — synthetic captions from the captioner,
 * the ITM filter on web and synthetic captions, the bootstrapped dataset and a report. Resumable:
 * the same command on the same {@code --out} continues where it stopped.
 */
@Command(name = "capfilt", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"CapFilt: caption web images, filter web + synthetic captions with the ITM head, write the bootstrapped dataset.",
        "Writes OUT/shards/NNNNN.json (resumable work), OUT/bootstrapped.json, OUT/report.json, OUT/report.md; OUT/capfilt.json holds the settings.",
        "With images in tar shards, OUT/bootstrapped/NNNNN.tar holds the same records with their images."})
public final class CapfiltCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Option(names = "--captioner", required = true, paramLabel = "MODEL", description = "Captioning model: BlipForConditionalGeneration or BlipForPretraining directory, or an original .pth.")
  Path captioner;

  @Option(names = "--filter", required = true, paramLabel = "MODEL", description = "Filter model: BlipForImageTextRetrieval or BlipForPretraining directory, or an original .pth.")
  Path filter;

  @Option(names = "--data", required = true, paramLabel = "FILE", description = "Web dataset: annotation .json/.jsonl/.csv, a .tar shard or a directory of shards.")
  Path data;

  @Option(names = "--image-root", paramLabel = "DIR", description = "Image root of --data (default: the data file's folder). bootstrapped.json's image paths are relative to it.")
  Path imageRoot;

  @Option(names = "--human", paramLabel = "FILE", description = "Human-annotated dataset, passed through into bootstrapped.json.")
  Path human;

  @Option(names = "--human-image-root", paramLabel = "DIR", description = "Image root of --human (default: --image-root).")
  Path humanImageRoot;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory (created; rerun the same command to resume).")
  Path out;

  @Option(names = "--method", paramLabel = "nucleus|beam", defaultValue = "nucleus", converter = MethodConverter.class,
      description = "Decoding of synthetic captions. Default: ${DEFAULT-VALUE} (the paper's choice).")
  CapFiltConfig.Method method;

  @Option(names = "--num-captions", paramLabel = "N", defaultValue = "1", description = "Synthetic captions per image. Default: ${DEFAULT-VALUE}.")
  int numCaptions;

  @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.9", description = "Nucleus mass. Default: ${DEFAULT-VALUE}.")
  float topP;

  @Option(names = "--beam", paramLabel = "N", defaultValue = "3", description = "Beams (--method beam). Default: ${DEFAULT-VALUE}.")
  int beams;

  @Option(names = "--threshold", paramLabel = "P", defaultValue = "0.5", description = "Keep a caption when its ITM match probability is >= P. Default: ${DEFAULT-VALUE}.")
  double threshold;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of nucleus sampling (each image samples with (S, its index)). Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--shard-size", paramLabel = "N", defaultValue = "256", description = "Samples per work shard (unit of resumption). Default: ${DEFAULT-VALUE}.")
  int shardSize;

  @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8", description = "Images per captioner / filter pass. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--max-length", paramLabel = "N", defaultValue = "30", description = "Caption length limit in tokens, [DEC] and prompt included. Default: ${DEFAULT-VALUE}.")
  int maxLength;

  @Option(names = "--min-length", paramLabel = "N", defaultValue = "5", description = "Minimum caption length, same counting. Default: ${DEFAULT-VALUE}.")
  int minLength;

  @Option(names = "--max-shards", paramLabel = "N", defaultValue = "0", description = "Stop after writing N shards (resume later with the same command); 0 = all.")
  int maxShards;

  @Option(names = "--json", description = "Print the summary as one JSON object on stdout.")
  boolean json;

  @Option(names = {"-v", "--verbose"}, description = "Print stack traces of errors.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter o = spec.commandLine().getOut();
    CapFiltConfig config;
    try {
      config = new CapFiltConfig(method, numCaptions, topP, beams, threshold, seed, shardSize, batchSize, maxLength, minLength, Captioner.DEFAULT_PROMPT);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "invalid CapFilt options: " + e.getMessage());
    }
    if (maxShards < 0) {
      throw new ParameterException(spec.commandLine(), "--max-shards must be >= 0, got " + maxShards);
    }
    Path root = imageRoot != null ? imageRoot : data.toAbsolutePath().getParent();
    CapFilt.Inputs inputs = new CapFilt.Inputs(data, root, human, humanImageRoot);
    Map<String, String> models = Map.of("captioner", captioner.toAbsolutePath().normalize().toString(), "filter", filter.toAbsolutePath().normalize().toString());
    try (Captioner cap = Captioner.load(captioner); ImageTextMatcher itm = ImageTextMatcher.load(filter)) {
      ProgressListener listener = new ProgressListener(err);
      CapFilt job = new CapFilt(SyntheticCaptioner.of(cap, config.captionerOptions()), CaptionFilter.of(itm), config);
      CapFilt.Result r = job.run(inputs, models, out, new CapFilt.Options(listener, ShapesOracle.beside(data).orElse(null), maxShards));
      listener.finish();
      print(o, r);
      return 0;
    } catch (Exception e) {
      return Common.report(e, err, verbose || Common.debugFromEnv());
    }
  }

  private void print(PrintWriter o, CapFilt.Result r) {
    CapFiltReport rep = r.report();
    if (json) {
      ObjectNode j = JSON.createObjectNode();
      j.put("out", out.toString()).put("complete", r.complete()).put("samples", r.samples()).put("shards", r.shards())
          .put("resumed_shards", r.resumedShards()).put("written_shards", r.writtenShards()).put("input_bad_records", r.inputBad().total());
      if (rep != null) {
        j.set("report", rep.toJson());
      }
      o.println(j);
    } else if (!r.complete()) {
      o.printf(Locale.ROOT, "stopped after %d new shards: %d of %d shards done; rerun the same command to continue%n",
          r.writtenShards(), r.resumedShards() + r.writtenShards(), r.shards());
    } else {
      long skipped = rep.skippedImages().values().stream().mapToLong(Long::longValue).sum();
      o.printf(Locale.ROOT, "capfilt: %d web samples in %d shards (%d resumed), %d skipped for a bad image, %d bad input records%n",
          r.samples(), r.shards(), r.resumedShards(), skipped, r.inputBad().total());
      o.printf(Locale.ROOT, "web captions kept %d/%d, synthetic captions kept %d/%d (threshold %s)%n",
          rep.web().kept(), rep.web().total(), rep.synthetic().kept(), rep.synthetic().total(), threshold);
      rep.verdict().ifPresent(v -> o.println(v));
      o.printf(Locale.ROOT, "bootstrapped dataset %s: %d human + %d web + %d synthetic = %d records; report %s%n", out.resolve("bootstrapped.json"),
          rep.human(), rep.web().kept(), rep.synthetic().kept(), rep.bootstrapped(), out.resolve("report.md"));
      Path shards = out.resolve(CapFilt.BOOTSTRAPPED_SHARDS);
      if (Files.isDirectory(shards)) {
        o.printf(Locale.ROOT, "the same records as tar shards (images included, for tar-shard input): %s%n", shards);
      }
    }
    o.flush();
  }

  /** Renders the job's progress with {@link Progress}. */
  private static final class ProgressListener implements CapFiltListener {
    private final PrintWriter err;
    private Progress progress;
    private long since;

    ProgressListener(PrintWriter err) {
      this.err = err;
    }

    @Override
    public void started(long samples, int shards, int finishedShards, long finishedSamples) {
      since = finishedSamples;
      progress = new Progress("capfilt", "images", samples, err, System.console() != null);
      if (finishedShards > 0) {
        err.printf(Locale.ROOT, "resuming: %d of %d shards already done%n", finishedShards, shards);
      }
      progress.update(finishedSamples, since, "");
    }

    @Override
    public void shardWritten(int shard, long samplesDone, int skipped) {
      progress.update(samplesDone, since, skipped > 0 ? ", shard " + shard + ": " + skipped + " bad images skipped" : "");
    }

    void finish() {
      if (progress != null) {
        progress.finish();
      }
    }
  }

  /** nucleus | beam. */
  static final class MethodConverter implements ITypeConverter<CapFiltConfig.Method> {
    @Override
    public CapFiltConfig.Method convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "nucleus" -> CapFiltConfig.Method.NUCLEUS;
        case "beam" -> CapFiltConfig.Method.BEAM;
        default -> throw new TypeConversionException("expected nucleus or beam, got '" + value + "'");
      };
    }
  }
}
