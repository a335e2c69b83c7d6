package org.blip4j.checkpoint.pth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.blip4j.checkpoint.CheckpointException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dtypes, offsets and strided (non-contiguous) views, on hand-built checkpoints. */
class TensorRefTest {
  @TempDir Path dir;

  private Map<String, TensorRef> one(String type, long numel, long offset, long[] size, long[] stride, byte[] data) {
    Pickle p = Pickle.proto2().op('}').str("t").tensor(type, "k", numel, offset, size, stride).op('s').stop();
    Path f = Pickle.write(dir, type + offset + size.length + ".pth", Pickle.checkpoint(p.bytes(), Map.of("k", data)));
    return TorchCheckpoint.read(f).stateDict();
  }

  private static byte[] f32(int n) {
    ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putFloat(i);
    }
    return b.array();
  }

  @Test
  void transposedViewWithOffsetIsGathered() {
    // storage 0..23; view offset 1, shape (2, 3), stride (1, 2): element (i, j) = storage[1 + i + 2j]
    TensorRef t = one("FloatStorage", 24, 1, new long[] {2, 3}, new long[] {1, 2}, f32(24)).get("t");
    assertThat(t.isContiguous()).isFalse();
    assertThat(t.numel()).isEqualTo(6);
    assertThat(t.floats()).containsExactly(1, 3, 5, 2, 4, 6);
  }

  @Test
  void contiguousOffsetExpandedAndEmptyViews() {
    TensorRef c = one("FloatStorage", 24, 4, new long[] {2, 2}, new long[] {2, 1}, f32(24)).get("t");
    assertThat(c.isContiguous()).isTrue();
    assertThat(c.floats()).containsExactly(4, 5, 6, 7);
    TensorRef expanded = one("FloatStorage", 3, 0, new long[] {2, 3}, new long[] {0, 1}, f32(3)).get("t");
    assertThat(expanded.isContiguous()).isFalse();
    assertThat(expanded.floats()).containsExactly(0, 1, 2, 0, 1, 2);
    TensorRef rows = one("FloatStorage", 12, 0, new long[] {3, 2}, new long[] {4, 1}, f32(12)).get("t");
    assertThat(rows.floats()).containsExactly(0, 1, 4, 5, 8, 9);
    TensorRef empty = one("FloatStorage", 0, 0, new long[] {0, 5}, new long[] {5, 1}, new byte[0]).get("t");
    assertThat(empty.numel()).isZero();
    assertThat(empty.floats()).isEmpty();
    TensorRef unit = one("FloatStorage", 5, 3, new long[] {1, 1}, new long[] {7, 9}, f32(5)).get("t");
    assertThat(unit.isContiguous()).isTrue();
    assertThat(unit.floats()).containsExactly(3);
  }

  @Test
  void halfBfloatDoubleAreWidened() {
    ByteBuffer h = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    h.putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x0001).putShort((short) 0x7c00); // 1, -2, 2^-24, inf
    assertThat(one("HalfStorage", 4, 0, new long[] {4}, new long[] {1}, h.array()).get("t").floats())
        .containsExactly(1f, -2f, 0x1p-24f, Float.POSITIVE_INFINITY);
    ByteBuffer bf = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    bf.putShort((short) 0x3fc0).putShort((short) 0xbf80); // 1.5, -1
    TensorRef b = one("BFloat16Storage", 2, 0, new long[] {2}, new long[] {1}, bf.array()).get("t");
    assertThat(b.dtype()).isEqualTo("BF16");
    assertThat(b.floats()).containsExactly(1.5f, -1f);
    ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-3);
    TensorRef dt = one("DoubleStorage", 2, 0, new long[] {2}, new long[] {1}, d.array()).get("t");
    assertThat(dt.floats()).containsExactly(0.1f, -3f);
    assertThatThrownBy(dt::longs).isInstanceOf(CheckpointException.class).hasMessageContaining("expected an integer type");
  }

  @Test
  void integersAndBools() {
    ByteBuffer l = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).putLong(1L << 40).putLong(7);
    TensorRef lt = one("LongStorage", 3, 0, new long[] {3}, new long[] {1}, l.array()).get("t");
    assertThat(lt.longs()).containsExactly(-1, 1L << 40, 7);
    assertThat(lt.floats()).containsExactly(-1f, (float) (1L << 40), 7f);
    ByteBuffer i = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-5).putInt(6);
    assertThat(one("IntStorage", 2, 0, new long[] {2}, new long[] {1}, i.array()).get("t").longs()).containsExactly(-5, 6);
    assertThat(one("BoolStorage", 3, 0, new long[] {3}, new long[] {1}, new byte[] {1, 0, 1}).get("t").longs()).containsExactly(1, 0, 1);
    assertThat(one("ByteStorage", 2, 1, new long[] {1}, new long[] {1}, new byte[] {1, (byte) 200}).get("t").longs()).containsExactly(200);
  }

  @Test
  void parametersAndTiesAndMemoizedStorages() {
    // a Parameter wrapping a tensor, and a second tensor on the same storage key (a tie)
    Pickle p = Pickle.proto2().op('}')
        .str("p").global("torch._utils", "_rebuild_parameter").mark()
        .tensor("FloatStorage", "0", 6, 0, new long[] {2, 3}, new long[] {3, 1}).op(0x88).global("collections", "OrderedDict").op(')').op('R')
        .op('t').op('R').op('s')
        .str("q").tensor("FloatStorage", "0", 6, 0, new long[] {3, 2}, new long[] {1, 3}).op('s').stop();
    Map<String, byte[]> st = new LinkedHashMap<>();
    st.put("0", f32(6));
    TorchCheckpoint ckpt = TorchCheckpoint.read(Pickle.write(dir, "param.pth", Pickle.checkpoint(p.bytes(), st)));
    Map<String, TensorRef> sd = ckpt.stateDict();
    assertThat(sd.get("p").requiresGrad()).isTrue();
    assertThat(sd.get("q").requiresGrad()).isFalse();
    assertThat(sd.get("p").storage()).isSameAs(sd.get("q").storage());
    assertThat(ckpt.storages()).containsOnlyKeys("0");
    assertThat(sd.get("q").floats()).containsExactly(0, 3, 1, 4, 2, 5);
    assertThat(TorchCheckpoint.sharedStorageGroups(sd)).containsExactly(java.util.List.of("p", "q"));
  }
}
