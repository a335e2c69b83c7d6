package org.blip4j.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Memory-mapped reader of the safetensors format: an 8-byte little-endian header length N, N bytes
 * of JSON {@code {name: {dtype, shape, data_offsets}}}, then raw little-endian data.
 *
 * <p>Every declared length and offset is validated against the file size before anything is read,
 * so a malformed file gives an error naming the file and the tensor at fault instead of a crash.
 * BF16 and F16 are widened to F32 in Java (libtorch's BF16 paths are unsafe on this CPU).
 */
public final class SafeTensors implements TensorSource {

  /** One tensor's header entry. */
  public record Entry(String name, String dtype, long[] shape, long begin, long end) {
    /** Number of elements. */
    public long size() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  private static final long MAX_HEADER = 100L * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path path;
  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;
  private final ByteBuffer data;

  private SafeTensors(Path path, Map<String, Entry> entries, Map<String, String> metadata, ByteBuffer data) {
    this.path = path;
    this.entries = entries;
    this.metadata = metadata;
    this.data = data;
  }

  /** Opens and validates a safetensors file; the data stays memory-mapped. */
  public static SafeTensors open(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(path.toString(), null, "safetensors file not found");
    }
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long fileSize = ch.size();
      if (fileSize < 8) {
        throw new CheckpointException(path + ": not a safetensors file (" + fileSize + " bytes, need at least 8)");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long headerLen = lenBuf.getLong(0);
      if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > fileSize) {
        throw new CheckpointException(
            path + ": safetensors header length " + headerLen + " is invalid for a file of " + fileSize + " bytes");
      }
      ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
      readFully(ch, headerBuf, 8);
      JsonNode header;
      try {
        header = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new CheckpointException(path + ": safetensors header is not valid JSON: " + e.getMessage(), e);
      }
      if (header == null || !header.isObject()) {
        throw new CheckpointException(path + ": safetensors header is not a JSON object");
      }
      long dataStart = 8 + headerLen;
      long dataLen = fileSize - dataStart;
      Map<String, Entry> entries = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (f.getKey().equals("__metadata__")) {
          f.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
          continue;
        }
        entries.put(f.getKey(), parseEntry(path, f.getKey(), f.getValue(), dataLen));
      }
      MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLen);
      mapped.order(ByteOrder.LITTLE_ENDIAN);
      return new SafeTensors(path, Collections.unmodifiableMap(entries), metadata, mapped);
    }
  }

  private static Entry parseEntry(Path path, String name, JsonNode n, long dataLen) {
    String where = path + ": tensor '" + name + "'";
    JsonNode dtype = n.get("dtype");
    JsonNode shape = n.get("shape");
    JsonNode offs = n.get("data_offsets");
    if (dtype == null || shape == null || offs == null || !shape.isArray() || !offs.isArray() || offs.size() != 2) {
      throw new CheckpointException(where + ": header entry needs dtype, shape and data_offsets[2]");
    }
    long[] dims = new long[shape.size()];
    long count = 1;
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.get(i).asLong(-1);
      if (dims[i] < 0) {
        throw new CheckpointException(where + ": negative dimension in shape " + shape);
      }
      count = Math.multiplyExact(count, dims[i]);
    }
    int width = width(dtype.asText());
    if (width < 0) {
      throw new CheckpointException(where + ": unsupported dtype " + dtype.asText());
    }
    long begin = offs.get(0).asLong(-1);
    long end = offs.get(1).asLong(-1);
    if (begin < 0 || end < begin || end > dataLen) {
      throw new CheckpointException(
          where + ": data_offsets [" + begin + ", " + end + "] outside the data section of " + dataLen + " bytes");
    }
    if (end - begin != count * width) {
      throw new CheckpointException(
          where + ": " + (end - begin) + " bytes declared but shape " + shape + " of " + dtype.asText() + " needs " + count * width);
    }
    return new Entry(name, dtype.asText(), dims, begin, end);
  }

  private static int width(String dtype) {
    return switch (dtype) {
      case "F64", "I64", "U64" -> 8;
      case "F32", "I32", "U32" -> 4;
      case "F16", "BF16", "I16", "U16" -> 2;
      case "U8", "I8", "BOOL" -> 1;
      default -> -1;
    };
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos + buf.position());
      if (n < 0) {
        throw new CheckpointException("unexpected end of file");
      }
    }
  }

  /** The file this reader maps. */
  public Path path() {
    return path;
  }

  /** Tensor entries by name, in header order. */
  public Map<String, Entry> entries() {
    return entries;
  }

  /** The {@code __metadata__} map (may be empty). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The entry of {@code name}, or an error naming the file and the tensor. */
  public Entry entry(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new CheckpointException(path + ": no tensor named '" + name + "'");
    }
    return e;
  }

  @Override
  public String describe() {
    return path.toString();
  }

  @Override
  public Set<String> names() {
    return entries.keySet();
  }

  @Override
  public long[] shape(String name) {
    return entry(name).shape().clone();
  }

  /** Whether a tensor of this name exists. */
  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  private ByteBuffer slice(Entry e) {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN).position((int) e.begin()).limit((int) e.end()).slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Reads a floating-point tensor widened to float32. */
  public float[] floats(String name) {
    Entry e = entry(name);
    ByteBuffer b = slice(e);
    float[] out = new float[Math.toIntExact(e.size())];
    switch (e.dtype()) {
      case "F32" -> b.asFloatBuffer().get(out);
      case "F64" -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = (float) b.getDouble(i * 8);
        }
      }
      case "BF16" -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
        }
      }
      case "F16" -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = halfToFloat(b.getShort(i * 2));
        }
      }
      default -> throw new CheckpointException(path + ": tensor '" + name + "' is " + e.dtype() + ", expected a float type");
    }
    return out;
  }

  /** Reads an integer tensor as longs. */
  public long[] longs(String name) {
    Entry e = entry(name);
    ByteBuffer b = slice(e);
    long[] out = new long[Math.toIntExact(e.size())];
    switch (e.dtype()) {
      case "I64", "U64" -> b.asLongBuffer().get(out);
      case "I32", "U32" -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = b.getInt(i * 4);
        }
      }
      case "U8", "BOOL" -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = b.get(i) & 0xff;
        }
      }
      default -> throw new CheckpointException(path + ": tensor '" + name + "' is " + e.dtype() + ", expected an integer type");
    }
    return out;
  }

  /** Reads a U8 tensor's raw bytes. */
  public byte[] bytes(String name) {
    Entry e = entry(name);
    if (!e.dtype().equals("U8")) {
      throw new CheckpointException(path + ": tensor '" + name + "' is " + e.dtype() + ", expected U8");
    }
    byte[] out = new byte[Math.toIntExact(e.size())];
    slice(e).get(out);
    return out;
  }

  /**
   * Creates an NDArray owning a copy of the tensor in {@code manager}: floats as F32, integers as
   * INT64. The copy never aliases the mapped file.
   */
  @Override
  public NDArray toNDArray(NDManager manager, String name) {
    Entry e = entry(name);
    Shape shape = new Shape(e.shape());
    return switch (e.dtype()) {
      case "F32", "F64", "F16", "BF16" -> manager.create(floats(name), shape);
      case "I64", "U64", "I32", "U32", "U8", "BOOL" -> manager.create(longs(name), shape);
      default -> throw new CheckpointException(path + ": unsupported dtype " + e.dtype() + " of '" + name + "'");
    };
  }

  /** Writes tensors (F32 or I64 NDArrays) as a safetensors file, names sorted, header padded to 8 bytes. */
  public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
    SafeTensorsWriter.write(file, tensors, metadata);
  }

  /** IEEE 754 binary16 to float32 (exact; subnormals, infinities and NaN included). */
  public static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
