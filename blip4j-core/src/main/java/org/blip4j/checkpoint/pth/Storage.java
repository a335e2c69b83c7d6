package org.blip4j.checkpoint.pth;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.blip4j.checkpoint.CheckpointException;

/**
 * One typed storage of a {@code torch.save} checkpoint: the raw little-endian bytes of zip entry
 * {@code <archive>/data/<key>}, holding {@link #numel()} elements of {@link #dtype()}.
 *
 * <p>The bytes are read from the zip on the first call to {@link #data()} and cached. Every
 * reference to the same key in one checkpoint yields the SAME {@code Storage} object, so tensors
 * that PyTorch stored once and referenced under several names (tied weights such as the LM head and
 * the word embeddings) can be detected with {@code a.storage() == b.storage()}.
 *
 * <p>Thread-safe: loading is synchronized, the cached buffer is read-only.
 */
public final class Storage {

  /** Reads the bytes of one storage entry: exactly {@code nbytes} bytes or a {@link CheckpointException}. */
  @FunctionalInterface
  interface Loader {
    byte[] load(Storage storage, long nbytes);
  }

  private final String source;
  private final String key;
  private final String dtype;
  private final long numel;
  private final Loader loader;
  private byte[] bytes;

  Storage(String source, String key, String dtype, long numel, Loader loader) {
    this.source = source;
    this.key = key;
    this.dtype = dtype;
    this.numel = numel;
    this.loader = loader;
  }

  /** The storage key: the zip entry is {@code <archive>/data/<key>}. */
  public String key() {
    return key;
  }

  /** Element type: {@code F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL}. */
  public String dtype() {
    return dtype;
  }

  /** Number of elements the checkpoint declares for this storage. */
  public long numel() {
    return numel;
  }

  /** Bytes per element of {@link #dtype()}. */
  public int itemSize() {
    return itemSize(dtype);
  }

  /** Size in bytes ({@code numel * itemSize}); validated against overflow when the storage was created. */
  public long byteSize() {
    return numel * itemSize();
  }

  /** The checkpoint file this storage belongs to (for messages). */
  public String source() {
    return source;
  }

  /** Whether the bytes have been read from the zip already. */
  public synchronized boolean isLoaded() {
    return bytes != null;
  }

  /**
   * The storage bytes as a read-only little-endian buffer (position 0, limit {@link #byteSize()}),
   * read from the zip on first use and cached.
   *
   * @throws CheckpointException when the entry is missing, shorter than declared, corrupt, or larger
   *     than a Java array can hold
   */
  public ByteBuffer data() {
    byte[] b;
    synchronized (this) {
      if (bytes == null) {
        long n = byteSize();
        if (n > TorchCheckpoint.MAX_ARRAY) {
          throw new CheckpointException(
              source + ": storage '" + key + "' holds " + n + " bytes, more than this reader can hold in one array (" + TorchCheckpoint.MAX_ARRAY + ")");
        }
        byte[] loaded = loader.load(this, n);
        if (loaded.length != n) {
          throw new CheckpointException(source + ": storage '" + key + "' read " + loaded.length + " bytes, expected " + n);
        }
        bytes = loaded;
      }
      b = bytes;
    }
    return ByteBuffer.wrap(b).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public String toString() {
    return "Storage[" + key + ", " + dtype + " x " + numel + "]";
  }

  /** Bytes per element of a dtype name; unknown names give 0. */
  static int itemSize(String dtype) {
    return switch (dtype) {
      case "F64", "I64" -> 8;
      case "F32", "I32" -> 4;
      case "F16", "BF16", "I16" -> 2;
      case "I8", "U8", "BOOL" -> 1;
      default -> 0;
    };
  }
}
