package org.blip4j.checkpoint.pth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.blip4j.checkpoint.CheckpointException;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed input is a quick, clean {@link CheckpointException} naming the file. */
class TorchCheckpointCorruptTest {
  @TempDir Path dir;

  /** Reads {@code file} and returns the exception, asserting it is a CheckpointException naming the file, within 5 s. */
  private CheckpointException fails(Path file) {
    return assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      try {
        TorchCheckpoint ckpt = TorchCheckpoint.read(file);
        for (TensorRef t : ckpt.stateDict().values()) {
          t.floats();
        }
      } catch (CheckpointException e) {
        assertThat(e.getMessage()).contains(file.toString());
        return e;
      }
      throw new AssertionError("expected a CheckpointException for " + file);
    });
  }

  private Path pkl(String name, Pickle p) {
    return Pickle.write(dir, name + ".pth", Pickle.checkpoint(p.bytes(), Map.of()));
  }

  private Path pkl(String name, Pickle p, Map<String, byte[]> storages) {
    return Pickle.write(dir, name + ".pth", Pickle.checkpoint(p.bytes(), storages));
  }

  @Test
  void truncatedRealCheckpoint() throws IOException {
    byte[] real = Files.readAllBytes(Fixtures.fixture("original/itm/model.pth"));
    for (int cut : new int[] {1, 3, 4, 30, 100, 1000, 20_000, real.length / 2, real.length - 100, real.length - 22, real.length - 1}) {
      Path f = Pickle.write(dir, "cut" + cut + ".pth", Arrays.copyOf(real, cut));
      assertThat(fails(f).getMessage()).as("cut at %d", cut).isNotEmpty();
    }
  }

  @Test
  void wrongMagic() throws IOException {
    byte[] random = new byte[4096];
    new Random(7).nextBytes(random);
    random[0] = 0x13;
    assertThat(fails(Pickle.write(dir, "random.pth", random)).getMessage()).contains("not a PyTorch checkpoint").contains("'PK'");
    assertThat(fails(Pickle.write(dir, "text.pth", "hello, I am a text file\n".getBytes(StandardCharsets.UTF_8))).getMessage())
        .contains("not a PyTorch checkpoint");
    assertThat(fails(Pickle.write(dir, "empty.pth", new byte[0])).getMessage()).contains("empty");
    assertThat(fails(dir.resolve("does-not-exist.pth")).getMessage()).contains("no such checkpoint file");
    Files.createDirectory(dir.resolve("adir.pth"));
    fails(dir.resolve("adir.pth"));
  }

  @Test
  void legacyFormatsAreRefusedWithAHint() {
    byte[] legacy = {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.',
        (byte) 0x80, 2, 'M', (byte) 0xe9, 3, '.'};
    assertThat(fails(Pickle.write(dir, "legacy.pth", legacy)).getMessage()).contains("legacy torch.save format").contains("re-save it with PyTorch >= 1.6");
    assertThat(fails(Pickle.write(dir, "bare.pkl", Pickle.proto2().op(']').stop().bytes())).getMessage()).contains("bare pickle stream");
    byte[] tar = new byte[1024];
    System.arraycopy("ustar".getBytes(StandardCharsets.US_ASCII), 0, tar, 257, 5);
    tar[0] = 's';
    assertThat(fails(Pickle.write(dir, "tar.pth", tar)).getMessage()).contains("legacy tar");
  }

  @Test
  void zipWithoutDataPkl() {
    Path f = Pickle.write(dir, "nopkl.pth", Pickle.zip(Map.of("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII))));
    assertThat(fails(f).getMessage()).contains("missing data.pkl");
    Path two = Pickle.write(dir, "two.pth", Pickle.zip(Map.of("a/data.pkl", new byte[] {'N', '.'}, "b/data.pkl", new byte[] {'N', '.'})));
    assertThat(fails(two).getMessage()).contains("several data.pkl");
    Path big = Pickle.write(dir, "big.pth", Pickle.zip(Map.of("a/data.pkl", new byte[] {'N', '.'}, "a/byteorder", "big".getBytes(StandardCharsets.US_ASCII))));
    assertThat(fails(big).getMessage()).contains("only little-endian");
  }

  @Test
  void storageMissingOrShorterThanItsTensor() {
    Pickle p = Pickle.proto2().op('}').str("w").tensor("FloatStorage", "0", 10, 0, new long[] {10}, new long[] {1}).op('s').stop();
    assertThat(fails(pkl("missing", p)).getMessage()).contains("storage entry 'archive/data/0' is missing");
    assertThat(fails(pkl("short", p, Map.of("0", new byte[20]))).getMessage()).contains("holds 20 bytes").contains("40 bytes");
    // the storage is big enough for its declared numel, but the view reaches past it
    Pickle view = Pickle.proto2().op('}').str("w").tensor("FloatStorage", "0", 4, 2, new long[] {3}, new long[] {1}).op('s').stop();
    assertThat(fails(pkl("view", view, Map.of("0", new byte[16]))).getMessage()).contains("needs 5 elements but the storage holds 4");
    Pickle strided = Pickle.proto2().op('}').str("w").tensor("FloatStorage", "0", 5, 0, new long[] {2, 3}, new long[] {1, 2}).op('s').stop();
    assertThat(fails(pkl("strided", strided, Map.of("0", new byte[20]))).getMessage()).contains("needs 6 elements but the storage holds 5");
  }

  @Test
  void sameKeyWithTwoDtypesIsAnError() {
    Pickle p = Pickle.proto2().op('}')
        .str("a").tensor("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}).op('s')
        .str("b").tensor("HalfStorage", "0", 2, 0, new long[] {2}, new long[] {1}).op('s').stop();
    assertThat(fails(pkl("twotypes", p, Map.of("0", new byte[8]))).getMessage()).contains("referenced as F32 x 2 and as F16 x 2");
  }

  @Test
  void declaredLengthsLargerThanTheDataFailBeforeAllocating() {
    assertThat(fails(pkl("unicode", Pickle.proto2().op('X').le(1L << 31, 4).raw(new byte[10]))).getMessage()).contains("2147483648 bytes but only 10 remain");
    assertThat(fails(pkl("unicode8", Pickle.proto2().op(0x8d).le(1L << 62, 8))).getMessage()).contains("declares a length of");
    assertThat(fails(pkl("bytes8neg", Pickle.proto2().op(0x8e).le(-5, 8))).getMessage()).contains("declares a length of");
    assertThat(fails(pkl("binbytes", Pickle.proto2().op('B').le(0xffffffffL, 4))).getMessage()).contains("4294967295 bytes");
    assertThat(fails(pkl("binstring", Pickle.proto2().op('T').le(-1, 4))).getMessage()).contains("declares a length of");
    assertThat(fails(pkl("frame", Pickle.proto2().op(0x95).le(1L << 60, 8).op('N').stop())).getMessage()).contains("FRAME declares 1152921504606846976 bytes");
    assertThat(fails(pkl("long4", Pickle.proto2().op(0x8b).le(1 << 30, 4))).getMessage()).contains("LONG4 declares");
    assertThat(fails(pkl("cut-int", Pickle.proto2().op('J').le(1, 2))).getMessage()).contains("needs 4 bytes but only 2 remain");
    assertThat(fails(pkl("noline", Pickle.proto2().op('c').raw("os".getBytes(StandardCharsets.US_ASCII)))).getMessage()).contains("not terminated by a newline");
  }

  @Test
  void badShapes() {
    long big = 1L << 40;
    Pickle overflow = Pickle.proto2().op('}').str("w").tensor("FloatStorage", "0", 1, 0, new long[] {big, big}, new long[] {0, 0}).op('s').stop();
    assertThat(fails(pkl("overflow", overflow, Map.of("0", new byte[4]))).getMessage()).contains("overflows");
    Pickle negative = Pickle.proto2().op('}').str("w").tensor("FloatStorage", "0", 4, 0, new long[] {-1}, new long[] {1}).op('s').stop();
    assertThat(fails(pkl("negative", negative, Map.of("0", new byte[16]))).getMessage()).contains("negative size or stride");
    Pickle negNumel = Pickle.proto2().op('}').str("w").tensor("FloatStorage", "0", -4, 0, new long[] {1}, new long[] {1}).op('s').stop();
    assertThat(fails(pkl("negnumel", negNumel)).getMessage()).contains("negative size");
    Pickle hugeNumel = Pickle.proto2().op('}').str("w").tensor("DoubleStorage", "0", Long.MAX_VALUE / 4, 0, new long[] {1}, new long[] {1}).op('s').stop();
    assertThat(fails(pkl("hugenumel", hugeNumel)).getMessage()).contains("byte size overflows");
    Pickle dims = Pickle.proto2().op('}').str("w").tensor("FloatStorage", "0", 4, 0, new long[] {1, 1}, new long[] {1}).op('s').stop();
    assertThat(fails(pkl("dims", dims, Map.of("0", new byte[16]))).getMessage()).contains("2 sizes but 1 strides");
  }

  @Test
  void stackMarkAndMemoMisuse() {
    assertThat(fails(pkl("underflow", Pickle.proto2().op('a').stop())).getMessage()).contains("stack underflow");
    assertThat(fails(pkl("empty-stop", Pickle.proto2().stop())).getMessage()).contains("stack underflow");
    assertThat(fails(pkl("no-mark", Pickle.proto2().op('N').op('t').stop())).getMessage()).contains("no MARK");
    assertThat(fails(pkl("mark-fence", Pickle.proto2().op(']').mark().op('a').stop())).getMessage()).contains("only a MARK is left");
    assertThat(fails(pkl("mark-left", Pickle.proto2().op('N').mark().op('N').stop())).getMessage()).contains("MARKs left");
    assertThat(fails(pkl("memo", Pickle.proto2().op('h').op(5).stop())).getMessage()).contains("memo has no entry 5");
    assertThat(fails(pkl("unknown", Pickle.proto2().op(0xff))).getMessage()).contains("unknown opcode 0xff").contains("offset 2");
    assertThat(fails(pkl("nostop", Pickle.proto2().op('N'))).getMessage()).contains("without a STOP");
    assertThat(fails(pkl("odd", Pickle.proto2().op('}').mark().op('N').op('u').stop())).getMessage()).contains("odd number");
    assertThat(fails(pkl("unhashable", Pickle.proto2().op('}').op(']').op('N').op('s').stop())).getMessage()).contains("unhashable");
    assertThat(fails(pkl("append-tuple", Pickle.proto2().op(')').op('N').op('a').stop())).getMessage()).contains("needs a list");
    assertThat(fails(pkl("proto9", Pickle.proto2().op(0x80).op(9))).getMessage()).contains("protocol 9");
    assertThat(fails(pkl("no-dict", Pickle.proto2().op(']').stop())).getMessage()).contains("expected a dict");
    assertThat(fails(pkl("no-tensors", Pickle.proto2().op('}').str("epoch").op('K').op(3).op('s').stop())).getMessage())
        .contains("no state dict found").contains("[epoch]");
  }

  @Test
  void deepNestingCyclesAndObjectLimits() {
    Pickle deep = Pickle.proto2();
    for (int i = 0; i < 100_000; i++) {
      deep.op(']');
    }
    for (int i = 0; i < 99_999; i++) {
      deep.op('a');
    }
    assertThat(fails(pkl("deep", deep.stop())).getMessage()).contains("deeper than 200");
    Pickle marks = Pickle.proto2();
    for (int i = 0; i < 100_000; i++) {
      marks.mark();
    }
    assertThat(fails(pkl("marks", marks.stop())).getMessage()).contains("nested MARKs");
    // depth hidden through the memo: each list is appended to the previous one after it was added
    Pickle memoDeep = Pickle.proto2().op(']').op(0x94);
    for (int i = 1; i < 1000; i++) {
      memoDeep.op('j').le(i - 1, 4).op(']').op(0x94).op('a').op('0');
    }
    memoDeep.stop();
    assertThat(fails(pkl("memodeep", memoDeep)).getMessage()).contains("deeper than 200");
    Pickle cycle = Pickle.proto2().op(']').op('2').op('a').stop();
    assertThat(fails(pkl("cycle", cycle)).getMessage()).contains("reference cycle");

    Pickle many = Pickle.proto2().op(']').op(0x94);
    for (int i = 0; i < 2000; i++) {
      many.op('N').op('a');
    }
    Path f = pkl("many", many.stop());
    assertThat((java.util.List<?>) TorchCheckpoint.read(f).root()).hasSize(2000);
    assertThatThrownBy(() -> TorchCheckpoint.read(f, new TorchCheckpoint.Limits(1 << 20, 1000, 10)))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("more than 1000 objects");
    assertThatThrownBy(() -> TorchCheckpoint.read(f, new TorchCheckpoint.Limits(100, 1000, 10)))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("more than the limit 100");
  }

  @Test
  void nonTensorEntriesOfAStateDictAreSkipped() {
    Map<String, byte[]> st = new LinkedHashMap<>();
    st.put("0", new byte[8]);
    Pickle p = Pickle.proto2().op('}').str("w").tensor("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}).op('s')
        .str("_extra_state").op('N').op('s').integer(7).op(0x88).op('s').stop();
    TorchCheckpoint ckpt = TorchCheckpoint.read(pkl("mixed", p, st));
    assertThat(ckpt.stateDict()).containsOnlyKeys("w");
  }
}
