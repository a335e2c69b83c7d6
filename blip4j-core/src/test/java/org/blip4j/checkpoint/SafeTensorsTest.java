package org.blip4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Half-precision checkpoints are widened to float32 in Java (libtorch's BF16 paths are unsafe here). */
class SafeTensorsTest {

  @Test
  void f16AndBf16AreWidenedExactly(@TempDir Path dir) throws Exception {
    String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[10,14]},"
        + "\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[14,22]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(8 + h.length + 22).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(h.length).put(h);
    // IEEE binary16: 1.0 = 0x3C00, -2.0 = 0xC000, max 65504 = 0x7BFF, smallest subnormal 2^-24 = 0x0001, -inf = 0xFC00
    for (int v : new int[] {0x3C00, 0xC000, 0x7BFF, 0x0001, 0xFC00}) {
      buf.putShort((short) v);
    }
    // bfloat16 = upper half of float32: 1.0 = 0x3F80, -3.0 = 0xC040
    buf.putShort((short) 0x3F80).putShort((short) 0xC040);
    buf.putLong(-100L);
    Path file = dir.resolve("half.safetensors");
    Files.write(file, buf.array());
    SafeTensors st = SafeTensors.open(file);
    assertThat(st.floats("h")).containsExactly(1f, -2f, 65504f, (float) Math.pow(2, -24), Float.NEGATIVE_INFINITY);
    assertThat(st.floats("b")).containsExactly(1f, -3f);
    assertThat(st.longs("i")).containsExactly(-100L);
    assertThatThrownBy(() -> st.floats("i")).isInstanceOf(CheckpointException.class).hasMessageContaining("'i' is I64");
    assertThatThrownBy(() -> st.floats("nope")).isInstanceOf(CheckpointException.class).hasMessageContaining("no tensor named 'nope'");
  }
}
