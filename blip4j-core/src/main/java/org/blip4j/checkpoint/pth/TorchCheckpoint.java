package org.blip4j.checkpoint.pth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.blip4j.checkpoint.CheckpointException;
import org.blip4j.checkpoint.TensorSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SAFE reader of PyTorch checkpoints in the zip format {@code torch.save} writes since PyTorch
 * 1.6 ({@code .pth}, {@code .pt}, {@code pytorch_model.bin}): entries {@code <archive>/data.pkl}
 * (a pickle), {@code <archive>/data/<key>} (raw little-endian storages), {@code <archive>/version}
 * and maybe {@code <archive>/byteorder}. Nothing from the file is ever executed: the pickle runs on
 * {@link Unpickler}, which knows only an allow-list of globals and builds plain Java objects.
 *
 * <p>The legacy formats (PyTorch &lt; 1.6 magic-number pickle stream, and the older tar format) are
 * refused with a message saying to re-save the file with a current PyTorch.
 *
 * <p>{@link #read(Path)} unpickles {@code data.pkl} and validates every tensor against the size of
 * its storage entry; the storage bytes are read later, on demand, by {@link TensorRef#floats()} and
 * friends. Every problem — not a zip, truncated, missing entries, a storage shorter than its
 * tensors, a hostile or corrupt pickle, limits exceeded — is a {@link CheckpointException} naming
 * the file and what is wrong.
 *
 * <pre>{@code
 * TorchCheckpoint ckpt = TorchCheckpoint.read(Path.of("model_base_caption.pth"));
 * Map<String, TensorRef> sd = ckpt.stateDict();          // root, or under "model"/"state_dict"/"module"
 * float[] w = sd.get("visual_encoder.cls_token").floats();
 * boolean tied = sd.get("text_decoder.cls.predictions.decoder.weight").storage()
 *     == sd.get("text_decoder.bert.embeddings.word_embeddings.weight").storage();
 * }</pre>
 */
public final class TorchCheckpoint {
  private static final Logger LOG = LoggerFactory.getLogger(TorchCheckpoint.class);

  /** Largest Java array this reader allocates. */
  static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  /** Wrapper keys {@link #stateDict(String...)} tries, in order, when none are given. */
  public static final List<String> DEFAULT_WRAPPER_KEYS = List.of("model", "state_dict", "module");

  /** PyTorch's legacy magic number 0x1950a86a20f9469cfc6c as pickled LONG1 payload (little-endian). */
  private static final byte[] LEGACY_MAGIC = {0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};

  /**
   * Resource limits for reading a checkpoint's pickle.
   *
   * @param maxPickleBytes largest {@code data.pkl} accepted (default 1 GiB)
   * @param maxObjects most objects the pickle may push or memoize (default 20 million)
   * @param maxDepth deepest nesting of containers and of MARKs (default 200)
   */
  public record Limits(long maxPickleBytes, long maxObjects, int maxDepth) {
    /** 1 GiB, 20 million objects, depth 200. */
    public static final Limits DEFAULT = new Limits(1L << 30, 20_000_000L, 200);

    /** Validates the limits. */
    public Limits {
      if (maxPickleBytes <= 0 || maxPickleBytes > MAX_ARRAY || maxObjects <= 0 || maxDepth <= 0) {
        throw new IllegalArgumentException("limits must be positive (and maxPickleBytes at most " + MAX_ARRAY + ")");
      }
    }
  }

  private final Path file;
  private final String archive;
  private final Object root;
  private final Map<String, Storage> storages;

  private TorchCheckpoint(Path file, String archive, Object root, Map<String, Storage> storages) {
    this.file = file;
    this.archive = archive;
    this.root = root;
    this.storages = Collections.unmodifiableMap(storages);
  }

  /** Reads a checkpoint with {@link Limits#DEFAULT}. */
  public static TorchCheckpoint read(Path file) {
    return read(file, Limits.DEFAULT);
  }

  /**
   * Reads and validates a checkpoint's structure; storage bytes are read later, on demand.
   *
   * @throws CheckpointException naming the file and the problem
   */
  public static TorchCheckpoint read(Path file, Limits limits) {
    checkMagic(file);
    try (ZipFile zip = new ZipFile(file.toFile())) {
      String pklName = findDataPkl(file, zip);
      String archive = pklName.substring(0, pklName.length() - "data.pkl".length());
      checkByteOrder(file, zip, archive);
      ZipEntry pkl = zip.getEntry(pklName);
      if (pkl.getSize() > limits.maxPickleBytes()) {
        throw new CheckpointException(file + ": " + pklName + " has " + pkl.getSize() + " bytes, more than the limit " + limits.maxPickleBytes());
      }
      byte[] pickle;
      try (InputStream in = zip.getInputStream(pkl)) {
        long cap = pkl.getSize() >= 0 ? pkl.getSize() : limits.maxPickleBytes();
        pickle = readAtMost(in, cap, file + ": " + pklName);
      }
      Map<String, Storage> storages = new LinkedHashMap<>();
      String source = file.toString();
      Unpickler.StorageResolver resolver =
          (dtype, key, location, numel) -> resolve(file, zip, archive, storages, dtype, key, numel);
      Object root = new Unpickler(pickle, source, limits, resolver).load();
      return new TorchCheckpoint(file, archive.substring(0, archive.length() - 1), root, storages);
    } catch (IOException | RuntimeException e) {
      throw asCheckpointException(file, e);
    }
  }

  private static CheckpointException asCheckpointException(Path file, Exception e) {
    if (e instanceof CheckpointException ce) {
      return ce;
    }
    if (e instanceof IOException || e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
      // IO and the JDK zip layer's complaints about a corrupt archive
      return new CheckpointException(file + ": not a readable zip archive (truncated or corrupt?): " + e, e);
    }
    throw (RuntimeException) e; // a bug in this reader: do not disguise it
  }

  /** Refuses empty files, legacy pickle/tar formats and anything that does not start like a zip. */
  private static void checkMagic(Path file) {
    byte[] head;
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException(file + ": no such checkpoint file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(512);
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (head.length == 0) {
      throw new CheckpointException(file + ": is empty, not a PyTorch checkpoint");
    }
    if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6))) {
      return;
    }
    if ((head[0] & 0xff) == 0x80) {
      boolean legacy = head.length >= 4 + LEGACY_MAGIC.length && (head[2] & 0xff) == 0x8a && head[3] == 10
          && Arrays.equals(Arrays.copyOfRange(head, 4, 4 + LEGACY_MAGIC.length), LEGACY_MAGIC);
      throw new CheckpointException(file + ": "
          + (legacy ? "legacy torch.save format (PyTorch < 1.6, magic-number pickle stream)" : "a bare pickle stream, not a torch.save zip archive")
          + "; this reader only reads the zip format: re-save it with PyTorch >= 1.6 (torch.save(torch.load(f), g))");
    }
    if (head.length >= 262 && new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar")) {
      throw new CheckpointException(file + ": legacy tar torch.save format (PyTorch < 0.4); re-save it with PyTorch >= 1.6");
    }
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(8, head.length); i++) {
      hex.append(String.format("%02x ", head[i] & 0xff));
    }
    throw new CheckpointException(file + ": not a PyTorch checkpoint: expected a zip archive (torch.save >= 1.6) starting with 'PK', found bytes " + hex.toString().trim());
  }

  private static String findDataPkl(Path file, ZipFile zip) {
    List<String> found = new ArrayList<>();
    Enumeration<? extends ZipEntry> en = zip.entries();
    while (en.hasMoreElements()) {
      String n = en.nextElement().getName();
      int slash = n.indexOf('/');
      if (slash > 0 && n.endsWith("/data.pkl") && slash == n.length() - "/data.pkl".length()) {
        found.add(n);
      }
    }
    if (found.isEmpty()) {
      throw new CheckpointException(file + ": zip archive has no <archive>/data.pkl entry; not a torch.save checkpoint (missing data.pkl)");
    }
    if (found.size() > 1) {
      throw new CheckpointException(file + ": zip archive has several data.pkl entries " + found + "; cannot tell which one is the checkpoint");
    }
    return found.get(0);
  }

  private static void checkByteOrder(Path file, ZipFile zip, String archive) throws IOException {
    ZipEntry e = zip.getEntry(archive + "byteorder");
    if (e == null) {
      return; // older writers: little-endian
    }
    String order;
    try (InputStream in = zip.getInputStream(e)) {
      order = new String(in.readNBytes(16), StandardCharsets.US_ASCII).trim();
    }
    if (!order.equals("little")) {
      throw new CheckpointException(file + ": " + archive + "byteorder says '" + Unpickler.printable(order) + "'; only little-endian checkpoints are supported");
    }
  }

  private static Storage resolve(Path file, ZipFile zip, String archive, Map<String, Storage> storages, String dtype, String key, long numel) {
    Storage known = storages.get(key);
    if (known != null) {
      if (!known.dtype().equals(dtype) || known.numel() != numel) {
        throw new CheckpointException(file + ": storage '" + Unpickler.printable(key) + "' is referenced as " + known.dtype() + " x " + known.numel()
            + " and as " + dtype + " x " + numel);
      }
      return known;
    }
    int item = Storage.itemSize(dtype);
    if (numel > Long.MAX_VALUE / item) {
      throw new CheckpointException(file + ": storage '" + Unpickler.printable(key) + "' declares " + numel + " elements, whose byte size overflows");
    }
    long nbytes = numel * item;
    String entryName = archive + "data/" + key;
    ZipEntry entry = zip.getEntry(entryName);
    if (entry == null || entry.isDirectory()) {
      throw new CheckpointException(file + ": storage entry '" + Unpickler.printable(entryName) + "' is missing");
    }
    if (entry.getSize() >= 0 && entry.getSize() < nbytes) {
      throw new CheckpointException(file + ": storage entry '" + Unpickler.printable(entryName) + "' holds " + entry.getSize() + " bytes, but the pickle declares "
          + numel + " x " + dtype + " = " + nbytes + " bytes");
    }
    Storage s = new Storage(file.toString(), key, dtype, numel, (st, n) -> loadEntry(file, entryName, n));
    storages.put(key, s);
    return s;
  }

  /** Reads exactly {@code nbytes} of one entry, opening the zip anew (the checkpoint holds no open file). */
  private static byte[] loadEntry(Path file, String entryName, long nbytes) {
    String what = file + ": storage entry '" + Unpickler.printable(entryName) + "'";
    try (ZipFile zip = new ZipFile(file.toFile())) {
      ZipEntry e = zip.getEntry(entryName);
      if (e == null) {
        throw new CheckpointException(what + " is missing (was the file changed after it was read?)");
      }
      if (e.getSize() >= 0 && e.getSize() < nbytes) {
        throw new CheckpointException(what + " holds " + e.getSize() + " bytes, expected " + nbytes);
      }
      try (InputStream in = zip.getInputStream(e)) {
        return readExactly(in, nbytes, what);
      }
    } catch (IOException | RuntimeException e) {
      throw asCheckpointException(file, e);
    }
  }

  /**
   * Reads exactly {@code n} bytes, growing the buffer only as data actually arrives, so a lying
   * size never causes a large allocation by itself.
   */
  static byte[] readExactly(InputStream in, long n, String what) throws IOException {
    if (n < 0 || n > MAX_ARRAY) {
      throw new CheckpointException(what + ": size " + n + " is out of range");
    }
    byte[] buf = new byte[(int) Math.min(n, 1 << 20)];
    int len = 0;
    while (len < n) {
      if (len == buf.length) {
        buf = Arrays.copyOf(buf, (int) Math.min(n, 2L * buf.length));
      }
      int r = in.read(buf, len, buf.length - len);
      if (r < 0) {
        throw new CheckpointException(what + " ends after " + len + " bytes, expected " + n + " (truncated?)");
      }
      len += r;
    }
    return buf;
  }

  /** Reads a whole stream of at most {@code cap} bytes; more is an error. */
  static byte[] readAtMost(InputStream in, long cap, String what) throws IOException {
    byte[] buf = new byte[(int) Math.min(Math.max(cap, 0), 1 << 20)];
    int len = 0;
    while (true) {
      if (len == buf.length) {
        if (len >= cap) {
          if (in.read() >= 0) {
            throw new CheckpointException(what + " is larger than its declared size / the limit of " + cap + " bytes");
          }
          return buf;
        }
        buf = Arrays.copyOf(buf, (int) Math.min(cap, Math.max(16, 2L * buf.length)));
      }
      int r = in.read(buf, len, buf.length - len);
      if (r < 0) {
        return Arrays.copyOf(buf, len);
      }
      len += r;
    }
  }

  /** The checkpoint file. */
  public Path file() {
    return file;
  }

  /** The top folder of the zip archive ({@code archive}, {@code model}, …). */
  public String archiveName() {
    return archive;
  }

  /**
   * The unpickled root object (see {@link Unpickler} for the Java types); usually a {@link Map}
   * such as {@code {"model": state_dict}} or the state dict itself.
   */
  public Object root() {
    return root;
  }

  /** All storages the pickle references, by key, in order of first reference. */
  public Map<String, Storage> storages() {
    return storages;
  }

  /**
   * The state dict: a map of parameter name → tensor.
   *
   * <p>A dict "is a state dict" when it holds at least one tensor and no dict values. The root is
   * returned when it is one; otherwise the value under the first of {@code wrapperKeys} (default
   * {@link #DEFAULT_WRAPPER_KEYS}: {@code model, state_dict, module}) that is one. Entries whose key
   * is not a string or whose value is not a tensor (e.g. {@code _extra_state}) are skipped, counted
   * and logged at WARN level with their names.
   *
   * @throws CheckpointException when no state dict is found; the message lists the root's keys
   */
  public LinkedHashMap<String, TensorRef> stateDict(String... wrapperKeys) {
    List<String> wrappers = wrapperKeys.length == 0 ? DEFAULT_WRAPPER_KEYS : List.of(wrapperKeys);
    if (!(root instanceof Map<?, ?> top)) {
      throw new CheckpointException(file + ": the checkpoint holds a " + Unpickler.typeName(root) + ", expected a dict (state dict)");
    }
    if (isStateDict(top)) {
      return collect(top, "the root dict");
    }
    for (String w : wrappers) {
      if (top.get(w) instanceof Map<?, ?> inner && isStateDict(inner)) {
        return collect(inner, "'" + w + "'");
      }
    }
    List<String> keys = new ArrayList<>();
    for (Object k : top.keySet()) {
      if (keys.size() == 20) {
        keys.add("...");
        break;
      }
      keys.add(k instanceof String s ? Unpickler.printable(s) : String.valueOf(k));
    }
    throw new CheckpointException(file + ": no state dict found: the root dict (keys " + keys + ") holds no tensors and none of the keys " + wrappers
        + " holds a dict of tensors");
  }

  private static boolean isStateDict(Map<?, ?> m) {
    boolean tensor = false;
    for (Object v : m.values()) {
      if (v instanceof Map) {
        return false;
      }
      tensor |= v instanceof TensorRef;
    }
    return tensor;
  }

  private LinkedHashMap<String, TensorRef> collect(Map<?, ?> m, String where) {
    LinkedHashMap<String, TensorRef> out = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (e.getKey() instanceof String k && e.getValue() instanceof TensorRef t) {
        out.put(k, t);
      } else {
        skipped.add(e.getKey() + " (" + Unpickler.typeName(e.getValue()) + ")");
      }
    }
    if (!skipped.isEmpty()) {
      LOG.warn("{}: skipped {} non-tensor entries of the state dict in {}: {}", file, skipped.size(), where,
          skipped.size() > 10 ? skipped.subList(0, 10) + "..." : skipped);
    }
    return out;
  }

  /**
   * Groups of state-dict keys whose tensors share one storage (tied or shared parameters), each
   * group in state-dict order; keys with a storage of their own are left out.
   */
  public static List<List<String>> sharedStorageGroups(Map<String, TensorRef> stateDict) {
    Map<Storage, List<String>> by = new IdentityHashMap<>();
    List<List<String>> order = new ArrayList<>();
    for (Map.Entry<String, TensorRef> e : stateDict.entrySet()) {
      List<String> g = by.computeIfAbsent(e.getValue().storage(), s -> {
        List<String> l = new ArrayList<>();
        order.add(l);
        return l;
      });
      g.add(e.getKey());
    }
    List<List<String>> out = new ArrayList<>();
    for (List<String> g : order) {
      if (g.size() > 1) {
        out.add(Collections.unmodifiableList(g));
      }
    }
    return out;
  }

  /**
   * The state dict ({@link #stateDict(String...)}) as a {@link TensorSource}: float tensors become
   * F32 NDArrays, integer and bool tensors INT64.
   */
  public TensorSource tensorSource(String... wrapperKeys) {
    LinkedHashMap<String, TensorRef> sd = stateDict(wrapperKeys);
    Path f = file;
    return new TensorSource() {
      @Override
      public String describe() {
        return f.toString();
      }

      @Override
      public Set<String> names() {
        return Collections.unmodifiableSet(sd.keySet());
      }

      @Override
      public long[] shape(String name) {
        return tensor(name).shape();
      }

      @Override
      public NDArray toNDArray(NDManager manager, String name) {
        TensorRef t = tensor(name);
        Shape shape = new Shape(t.shape());
        return switch (t.dtype()) {
          case "F32", "F16", "BF16", "F64" -> manager.create(t.floats(), shape);
          default -> manager.create(t.longs(), shape);
        };
      }

      private TensorRef tensor(String name) {
        TensorRef t = sd.get(name);
        if (t == null) {
          throw new CheckpointException(f + ": no tensor '" + name + "' in the state dict");
        }
        return t;
      }
    };
  }

  @Override
  public String toString() {
    return "TorchCheckpoint[" + file + ", " + storages.size() + " storages]";
  }
}
