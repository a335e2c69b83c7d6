package org.blip4j.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.blip4j.data.BadSampleCounter;
import org.blip4j.data.ReadOptions;
import org.blip4j.data.Sample;
import org.blip4j.data.ShardReader;
import org.blip4j.data.ShardWriter;
import org.blip4j.data.loader.DataLoader;
import org.blip4j.data.transform.TrainTransform;
import org.blip4j.image.ImageDecoder;

/**
 * {@code blip bench --data}: samples/s of JPEG decode + BLIP's training transform (crop, flip,
 * RandAugment, normalise) through the data loader, from WebDataset shards, at 96/224/384 px with
 * 1 and 2 threads; median over runs of one pass over the shard set.
 */
final class DataBench {
  private DataBench() {}

  static Map<String, Double> run(int runs, int warmup, PrintWriter err) throws IOException {
    Path dir = Files.createTempDirectory("blip-data-bench");
    try {
      int n = 128;
      try (ShardWriter w = new ShardWriter(dir, 64)) {
        Random r = new Random(1);
        for (int i = 0; i < n; i++) {
          w.write(String.format("%09d", i), "jpg", jpeg(r, 640, 480), "a red circle to the left of a blue square", Map.of());
        }
      }
      List<Sample> samples = new ArrayList<>();
      try (ShardReader reader = ShardReader.openDirectory(dir, ReadOptions.of(dir, new BadSampleCounter()))) {
        reader.forEachRemaining(samples::add);
      }
      ImageDecoder decoder = new ImageDecoder();
      Map<String, Double> out = new LinkedHashMap<>();
      for (int size : new int[] {96, 224, 384}) {
        TrainTransform transform = new TrainTransform(size);
        for (int threads : new int[] {1, 2}) {
          String key = "data_" + size + "px_t" + threads;
          double[] rates = new double[runs];
          for (int i = -warmup; i < runs; i++) {
            long t0 = System.nanoTime();
            int seen = 0;
            try (DataLoader<TrainTransform.Output> loader = DataLoader.<TrainTransform.Output>builder(samples,
                    (s, rnd) -> transform.apply(s.image().decode(decoder), s.captions().get(0), rnd))
                .batchSize(16).threads(threads).prefetchBatches(4).epochs(1).seed(i).build()) {
              while (loader.hasNext()) {
                seen += loader.next().size();
              }
            }
            double rate = seen / ((System.nanoTime() - t0) / 1e9);
            if (i >= 0) {
              rates[i] = rate;
            }
            err.printf("  %-18s %s %.1f samples/s%n", key, i < 0 ? "warm-up" : "run " + (i + 1), rate);
            err.flush();
          }
          Arrays.sort(rates);
          out.put(key, runs % 2 == 1 ? rates[runs / 2] : (rates[runs / 2 - 1] + rates[runs / 2]) / 2);
        }
      }
      return out;
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** A photo-like JPEG: smooth colour gradients plus noise. */
  private static byte[] jpeg(Random r, int w, int h) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int r0 = r.nextInt(256);
    int g0 = r.nextInt(256);
    int b0 = r.nextInt(256);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int red = (r0 + x * 255 / w + r.nextInt(16)) & 0xff;
        int green = (g0 + y * 255 / h + r.nextInt(16)) & 0xff;
        int blue = (b0 + (x + y) * 128 / (w + h) + r.nextInt(16)) & 0xff;
        img.setRGB(x, y, (red << 16) | (green << 8) | blue);
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(img, "jpg", bytes);
    return bytes.toByteArray();
  }
}
