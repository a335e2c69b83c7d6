package org.blip4j.checkpoint.pth;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.blip4j.checkpoint.CheckpointException;

/**
 * A tensor of a {@code torch.save} checkpoint as PyTorch rebuilds it: a view of a {@link Storage}
 * starting at {@link #storageOffset()} (in elements) with a {@link #shape()} and a {@link #stride()}
 * (in elements). Nothing is read until {@link #floats()} or {@link #longs()} is called.
 *
 * <p>Instances are validated when the checkpoint is read: sizes and strides are non-negative, the
 * element count does not overflow, and the view lies inside the storage. Equality is identity; use
 * {@code a.storage() == b.storage()} to detect tensors that share memory (tied weights).
 */
public final class TensorRef {
  private final Storage storage;
  private final long storageOffset;
  private final long[] shape;
  private final long[] stride;
  private final boolean requiresGrad;
  private final long numel;

  /**
   * Validates and creates a view.
   *
   * @throws CheckpointException when a size or stride is negative, the element count overflows, or
   *     the view reaches past the end of the storage
   */
  TensorRef(Storage storage, long storageOffset, long[] shape, long[] stride, boolean requiresGrad) {
    String where = storage.source() + ": tensor on storage '" + storage.key() + "'";
    if (shape.length != stride.length) {
      throw new CheckpointException(where + " has " + shape.length + " sizes but " + stride.length + " strides");
    }
    if (storageOffset < 0) {
      throw new CheckpointException(where + " has a negative storage offset " + storageOffset);
    }
    long n = 1;
    long last = storageOffset; // index of the last element reached
    try {
      for (int i = 0; i < shape.length; i++) {
        if (shape[i] < 0 || stride[i] < 0) {
          throw new CheckpointException(where + " has a negative size or stride: shape " + Arrays.toString(shape) + ", stride " + Arrays.toString(stride));
        }
        n = Math.multiplyExact(n, shape[i]);
      }
      if (n > 0) {
        for (int i = 0; i < shape.length; i++) {
          last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
        }
      }
    } catch (ArithmeticException e) {
      throw new CheckpointException(where + " has a shape/stride whose size overflows a long: shape " + Arrays.toString(shape) + ", stride " + Arrays.toString(stride));
    }
    if (n > 0 && last >= storage.numel()) {
      throw new CheckpointException(
          where + " (offset " + storageOffset + ", shape " + Arrays.toString(shape) + ", stride " + Arrays.toString(stride)
              + ") needs " + (last + 1) + " elements but the storage holds " + storage.numel());
    }
    this.storage = storage;
    this.storageOffset = storageOffset;
    this.shape = shape.clone();
    this.stride = stride.clone();
    this.requiresGrad = requiresGrad;
    this.numel = n;
  }

  /** The storage this tensor views; shared (identical) between tied tensors. */
  public Storage storage() {
    return storage;
  }

  /** Offset of the first element in the storage, in elements. */
  public long storageOffset() {
    return storageOffset;
  }

  /** A copy of the sizes. */
  public long[] shape() {
    return shape.clone();
  }

  /** A copy of the strides, in elements. */
  public long[] stride() {
    return stride.clone();
  }

  /** Whether the tensor was saved as a parameter / with {@code requires_grad=True}. */
  public boolean requiresGrad() {
    return requiresGrad;
  }

  /** The storage's dtype name (see {@link Storage#dtype()}). */
  public String dtype() {
    return storage.dtype();
  }

  /** Number of elements (product of the sizes; 1 for a scalar). */
  public long numel() {
    return numel;
  }

  /** Whether the elements are laid out row-major without gaps (PyTorch's {@code is_contiguous}). */
  public boolean isContiguous() {
    if (numel == 0) {
      return true;
    }
    long expected = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1) {
        if (stride[i] != expected) {
          return false;
        }
        expected *= shape[i];
      }
    }
    return true;
  }

  /**
   * The elements in row-major order as float32: F16 and BF16 widened exactly, F64 rounded, integer
   * and bool types converted. Honours offset and strides (non-contiguous views are gathered).
   */
  public float[] floats() {
    int n = checkedCount();
    ByteBuffer b = storage.data();
    float[] out = new float[n];
    String dt = storage.dtype();
    if (dt.equals("F32") && isContiguous()) {
      b.position(Math.toIntExact(storageOffset * 4)).asFloatBuffer().get(out);
      return out;
    }
    Indexer ix = new Indexer();
    for (int i = 0; i < n; i++) {
      int e = (int) ix.next();
      out[i] = switch (dt) {
        case "F32" -> b.getFloat(e * 4);
        case "F16" -> org.blip4j.checkpoint.SafeTensors.halfToFloat(b.getShort(e * 2));
        case "BF16" -> Float.intBitsToFloat((b.getShort(e * 2) & 0xffff) << 16);
        case "F64" -> (float) b.getDouble(e * 8);
        case "I64" -> (float) b.getLong(e * 8);
        case "I32" -> (float) b.getInt(e * 4);
        case "I16" -> (float) b.getShort(e * 2);
        case "I8" -> (float) b.get(e);
        case "U8", "BOOL" -> (float) (b.get(e) & 0xff);
        default -> throw new CheckpointException(storage.source() + ": storage '" + storage.key() + "' has unsupported dtype " + dt);
      };
    }
    return out;
  }

  /**
   * The elements in row-major order as longs; integer and bool types only.
   *
   * @throws CheckpointException for floating-point tensors
   */
  public long[] longs() {
    String dt = storage.dtype();
    if (!(dt.equals("I64") || dt.equals("I32") || dt.equals("I16") || dt.equals("I8") || dt.equals("U8") || dt.equals("BOOL"))) {
      throw new CheckpointException(storage.source() + ": tensor on storage '" + storage.key() + "' is " + dt + ", expected an integer type");
    }
    int n = checkedCount();
    ByteBuffer b = storage.data();
    long[] out = new long[n];
    Indexer ix = new Indexer();
    for (int i = 0; i < n; i++) {
      int e = (int) ix.next();
      out[i] = switch (dt) {
        case "I64" -> b.getLong(e * 8);
        case "I32" -> b.getInt(e * 4);
        case "I16" -> b.getShort(e * 2);
        case "I8" -> b.get(e);
        default -> b.get(e) & 0xff;
      };
    }
    return out;
  }

  private int checkedCount() {
    if (numel > TorchCheckpoint.MAX_ARRAY) {
      throw new CheckpointException(storage.source() + ": tensor on storage '" + storage.key() + "' has " + numel + " elements, too many for one Java array");
    }
    return (int) numel;
  }

  /** Walks storage element indices in row-major order of the view (an odometer over the dims). */
  private final class Indexer {
    private final long[] idx = new long[shape.length];
    private long pos = storageOffset;
    private boolean started;

    long next() {
      if (!started) {
        started = true;
        return pos;
      }
      for (int d = shape.length - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) {
          pos += stride[d];
          return pos;
        }
        pos -= (shape[d] - 1) * stride[d];
        idx[d] = 0;
      }
      return pos; // unreachable for a correct count
    }
  }


  @Override
  public String toString() {
    return "TensorRef[" + storage.dtype() + Arrays.toString(shape) + ", storage '" + storage.key() + "', offset " + storageOffset + ", stride " + Arrays.toString(stride) + "]";
  }
}
