package org.blip4j.checkpoint.pth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Test helper: writes pickle opcodes by hand and packs them into torch.save-like zips. */
final class Pickle {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static Pickle proto2() {
    return new Pickle().op(0x80).op(2);
  }

  Pickle op(int b) {
    out.write(b);
    return this;
  }

  Pickle raw(byte[] b) {
    out.writeBytes(b);
    return this;
  }

  Pickle le(long v, int n) {
    for (int i = 0; i < n; i++) {
      out.write((int) (v >>> (8 * i)) & 0xff);
    }
    return this;
  }

  Pickle mark() {
    return op('(');
  }

  Pickle str(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return op('X').le(b.length, 4).raw(b);
  }

  Pickle shortStr(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return op(0x8c).op(b.length).raw(b);
  }

  Pickle integer(long v) {
    if (v >= 0 && v < 256) {
      return op('K').op((int) v);
    }
    if (v >= 0 && v < 65536) {
      return op('M').le(v, 2);
    }
    if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
      return op('J').le(v, 4);
    }
    return op(0x8a).op(8).le(v, 8);
  }

  Pickle global(String module, String name) {
    return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
  }

  Pickle stackGlobal(String module, String name) {
    return shortStr(module).shortStr(name).op(0x93);
  }

  Pickle ints(long... vs) {
    if (vs.length == 0) {
      return op(')');
    }
    mark();
    for (long v : vs) {
      integer(v);
    }
    return op('t');
  }

  /** Pushes a tensor {@code _rebuild_tensor_v2(('storage', type, key, 'cpu', numel), offset, size, stride, False, OrderedDict())}. */
  Pickle tensor(String storageType, String key, long numel, long offset, long[] size, long[] stride) {
    global("torch._utils", "_rebuild_tensor_v2");
    mark();
    mark().str("storage").global("torch", storageType).str(key).str("cpu").integer(numel).op('t').op('Q');
    integer(offset).ints(size).ints(stride).op(0x89);
    global("collections", "OrderedDict").op(')').op('R');
    return op('t').op('R');
  }

  Pickle stop() {
    return op('.');
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  /** Writes a zip with the given entries (in order), deflated like python's zipfile would not, but valid. */
  static byte[] zip(Map<String, byte[]> entries) {
    ByteArrayOutputStream bo = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bo)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bo.toByteArray();
  }

  /** A torch.save-like zip: archive/data.pkl, archive/version, then the storages as archive/data/key. */
  static byte[] checkpoint(byte[] pickle, Map<String, byte[]> storages) {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("archive/data.pkl", pickle);
    for (Map.Entry<String, byte[]> e : storages.entrySet()) {
      m.put("archive/data/" + e.getKey(), e.getValue());
    }
    m.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    return zip(m);
  }

  static Path write(Path dir, String name, byte[] content) {
    try {
      Path p = dir.resolve(name);
      Files.write(p, content);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
