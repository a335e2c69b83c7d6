package org.blip4j.checkpoint.pth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.blip4j.checkpoint.CheckpointException;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing: every mutated checkpoint either reads (and its tensors decode) or fails
 * with a {@link CheckpointException} — never another exception, an OOM or a hang.
 */
class TorchCheckpointFuzzTest {
  /** Override with {@code -Dpth.fuzz.seed=N} to explore other mutations. */
  private static final long SEED = Long.getLong("pth.fuzz.seed", 20240611L);
  private static final int PICKLE_CASES = 700;
  private static final int CONTAINER_CASES = 700;

  @TempDir Path dir;

  private int ok;
  private int clean;
  private final List<String> bad = new ArrayList<>();

  @Test
  void mutatedCheckpointsFailCleanly() throws IOException {
    Path real = Fixtures.fixture("original/itm/model.pth");
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(real.toFile())) {
      for (Enumeration<? extends ZipEntry> en = z.entries(); en.hasMoreElements(); ) {
        ZipEntry e = en.nextElement();
        entries.put(e.getName(), z.getInputStream(e).readAllBytes());
      }
    }
    byte[] pickle = entries.get("model/data.pkl");
    assertThat(pickle).isNotNull();
    Map<String, Long> crcs = new LinkedHashMap<>();
    entries.forEach((k, v) -> crcs.put(k, crc(v)));
    byte[] small = smallCheckpoint(real);

    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      Random rnd = new Random(SEED);
      // 1) the real data.pkl mutated, re-zipped (STORED, valid CRCs) with the real storages
      for (int i = 0; i < PICKLE_CASES; i++) {
        byte[] mutated = mutate(pickle, rnd);
        Path f = dir.resolve("p" + (i % 4) + ".pth");
        try (OutputStream os = Files.newOutputStream(f); ZipOutputStream z = new ZipOutputStream(os)) {
          for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] data = e.getKey().equals("model/data.pkl") ? mutated : e.getValue();
            stored(z, e.getKey(), data, e.getKey().equals("model/data.pkl") ? crc(mutated) : crcs.get(e.getKey()));
          }
        }
        attempt(f, "pickle case " + i);
      }
      // 2) the bytes of a small real-derived zip mutated (container, headers, deflate streams)
      for (int i = 0; i < CONTAINER_CASES; i++) {
        Path f = Pickle.write(dir, "c" + (i % 4) + ".pth", mutate(small, rnd));
        attempt(f, "container case " + i);
      }
    });
    System.out.printf("pth fuzz (seed %d): %d cases, %d read fine, %d clean CheckpointExceptions, %d other outcomes%n",
        SEED, PICKLE_CASES + CONTAINER_CASES, ok, clean, bad.size());
    assertThat(bad).as("non-CheckpointException outcomes").isEmpty();
    assertThat(ok + clean).isEqualTo(PICKLE_CASES + CONTAINER_CASES);
    assertThat(ok).as("some mutations must still read").isPositive();
    assertThat(clean).as("most mutations must be caught").isGreaterThan(100);
  }

  private void attempt(Path f, String what) {
    try {
      TorchCheckpoint ckpt = TorchCheckpoint.read(f);
      int decoded = 0;
      for (TensorRef t : ckpt.stateDict().values()) {
        if (t.numel() <= 20_000 && decoded++ < 12) {
          t.floats();
        }
      }
      ok++;
    } catch (CheckpointException e) {
      clean++;
    } catch (Throwable t) { // OOM and StackOverflowError included: the point is that none happen
      bad.add(what + ": " + t);
      if (bad.size() == 1) {
        t.printStackTrace();
      }
    }
  }

  private static byte[] mutate(byte[] in, Random rnd) {
    byte[] b = in.clone();
    int rounds = 1 + rnd.nextInt(3);
    for (int r = 0; r < rounds && b.length > 2; r++) {
      int at = rnd.nextInt(b.length);
      switch (rnd.nextInt(6)) {
        case 0 -> { // flip a few bytes
          for (int k = 0, n = 1 + rnd.nextInt(8); k < n; k++) {
            b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
          }
        }
        case 1 -> b = Arrays.copyOf(b, at); // truncate
        case 2 -> { // duplicate a range at a random place
          int len = Math.min(1 + rnd.nextInt(64), b.length - at);
          int to = rnd.nextInt(b.length);
          byte[] out = new byte[b.length + len];
          System.arraycopy(b, 0, out, 0, to);
          System.arraycopy(b, at, out, to, len);
          System.arraycopy(b, to, out, to + len, b.length - to);
          b = out;
        }
        case 3 -> { // delete a range
          int len = Math.min(1 + rnd.nextInt(64), b.length - at);
          byte[] out = new byte[b.length - len];
          System.arraycopy(b, 0, out, 0, at);
          System.arraycopy(b, at + len, out, at, b.length - at - len);
          b = out;
        }
        case 4 -> { // an "interesting" 4-byte little-endian value
          int[] vals = {-1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0, 1 << 30, 65536};
          int v = vals[rnd.nextInt(vals.length)];
          for (int k = 0; k < 4 && at + k < b.length; k++) {
            b[at + k] = (byte) (v >>> (8 * k));
          }
        }
        default -> { // a random opcode byte
          int[] ops = {'(', ')', '.', '0', '1', '2', 'N', 'R', 'Q', 'X', 'a', 'b', 'c', 'e', 'h', 'j', 'q', 'r', 's', 't', 'u', '}', ']',
              0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x93, 0x94, 0x95, 0xff};
          b[at] = (byte) ops[rnd.nextInt(ops.length)];
        }
      }
    }
    return b;
  }

  /** A small checkpoint derived from a real one: its smaller tensors, a tie and a transposed view. */
  private static byte[] smallCheckpoint(Path real) {
    Map<String, TensorRef> sd = TorchCheckpoint.read(real).stateDict();
    Pickle p = Pickle.proto2().op('}').str("model").op('}');
    Map<String, byte[]> storages = new LinkedHashMap<>();
    int n = 0;
    for (Map.Entry<String, TensorRef> e : sd.entrySet()) {
      TensorRef t = e.getValue();
      if (t.numel() > 5000 || !t.dtype().equals("F32") || n >= 16) {
        continue;
      }
      String key = String.valueOf(n++);
      java.nio.ByteBuffer data = t.storage().data();
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      storages.put(key, bytes);
      p.str(e.getKey()).tensor("FloatStorage", key, t.storage().numel(), t.storageOffset(), t.shape(), t.stride()).op('s');
      if (t.shape().length == 2) { // a transposed view of the same storage
        long[] s = t.shape();
        p.str(e.getKey() + ".T").tensor("FloatStorage", key, t.storage().numel(), 0, new long[] {s[1], s[0]}, new long[] {1, s[1]}).op('s');
      }
    }
    p.op('s').stop();
    return Pickle.checkpoint(p.bytes(), storages);
  }

  private static void stored(ZipOutputStream z, String name, byte[] data, long crc) {
    try {
      ZipEntry e = new ZipEntry(name);
      e.setMethod(ZipEntry.STORED);
      e.setSize(data.length);
      e.setCompressedSize(data.length);
      e.setCrc(crc);
      z.putNextEntry(e);
      z.write(data);
      z.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long crc(byte[] b) {
    CRC32 c = new CRC32();
    c.update(b);
    return c.getValue();
  }
}
