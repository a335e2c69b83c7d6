package org.blip4j.checkpoint;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** Writes safetensors files atomically (temporary file, then rename). */
final class SafeTensorsWriter {
  private SafeTensorsWriter() {}

  static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = json.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      new TreeMap<>(metadata).forEach(meta::put); // sorted: equal inputs give equal bytes
    }
    TreeMap<String, NDArray> sorted = new TreeMap<>(tensors);
    long offset = 0;
    for (Map.Entry<String, NDArray> e : sorted.entrySet()) {
      NDArray a = e.getValue();
      String dtype = switch (a.getDataType()) {
        case FLOAT32 -> "F32";
        case INT64 -> "I64";
        case UINT8 -> "U8";
        default -> throw new IllegalArgumentException("cannot write " + a.getDataType() + " tensor '" + e.getKey() + "'");
      };
      long bytes = a.size() * a.getDataType().getNumOfBytes();
      ObjectNode n = header.putObject(e.getKey());
      n.put("dtype", dtype);
      var shape = n.putArray("shape");
      for (long d : a.getShape().getShape()) {
        shape.add(d);
      }
      var offs = n.putArray("data_offsets");
      offs.add(offset);
      offs.add(offset + bytes);
      offset += bytes;
    }
    byte[] h = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    int padded = (h.length + 7) / 8 * 8;
    byte[] hp = new byte[padded];
    Arrays.fill(hp, (byte) ' ');
    System.arraycopy(h, 0, hp, 0, h.length);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
      out.write(len.array());
      out.write(hp);
      for (NDArray a : sorted.values()) {
        ByteBuffer buf = a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        byte[] raw = new byte[buf.remaining()];
        buf.get(raw);
        out.write(raw);
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
