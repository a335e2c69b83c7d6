package org.blip4j.data.loader;

import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.blip4j.data.BadReason;
import org.blip4j.data.BadSampleCounter;
import org.blip4j.data.BadSampleListener;
import org.blip4j.data.Sample;
import org.blip4j.data.Samples;
import org.blip4j.image.ImageDecodeException;

/**
 * Batches of transformed samples from a random-access sample list, for training.
 *
 * <ul>
 *   <li><b>Order.</b> Epoch {@code e} visits the samples in {@link SampleOrder#permutation} order for
 *       (seed, e); with {@code worldSize} W, rank r takes entries r, r+W, r+2W, … of it, so the ranks
 *       cover the epoch disjointly (their sizes differ by at most one).
 *   <li><b>Parallelism.</b> The transform runs on a fixed pool of {@code threads} workers. Results
 *       are taken in order, so batches are identical for any number of threads; each sample's
 *       generator comes from (seed, epoch, sample index).
 *   <li><b>Bounded prefetch.</b> At most {@code prefetchBatches · batchSize} samples beyond those
 *       already returned are being (or have been) transformed — the batch {@link #next()} waits for
 *       included — plus, only while bad samples are replaced, the replacements.
 *   <li><b>Bad samples.</b> A transform that throws marks its sample bad: it is reported by key to
 *       the {@link BadSampleListener} (in sample order, once, when consumed) and replaced by the next
 *       sample, so every batch but an epoch's last has {@code batchSize} items.
 *   <li><b>Epoch ends.</b> Batches never span epochs; an epoch's short last batch is returned, or
 *       dropped with {@code dropLast}.
 *   <li><b>Resume.</b> {@link #cursor()} after any batch, saved and given to {@link #resume} of a
 *       loader built the same way, yields exactly the rest of that epoch and then the same epochs as
 *       an uninterrupted run.
 * </ul>
 *
 * <p>The iterator runs for {@code epochs} epochs (unbounded by default). Not thread-safe: one
 * consumer. {@link #close()} stops the workers.
 */
public final class DataLoader<T> implements Iterator<Batch<T>>, AutoCloseable {

  private record Outcome<T>(T value, Throwable error) {}

  private record Entry<T>(long epoch, int position, int index, Future<Outcome<T>> future) {}

  private final List<Sample> samples;
  private final SampleTransform<T> transform;
  private final int batchSize;
  private final long seed;
  private final boolean shuffle;
  private final boolean dropLast;
  private final int prefetchBatches;
  private final int rank;
  private final int worldSize;
  private final long epochs;
  private final BadSampleListener listener;
  private final ExecutorService pool;

  // consumer state: the next entry to take
  private long epoch;
  private int position;
  private int[] order; // rank-local order of `epoch`
  // producer state: the next entry to submit
  private long submitEpoch;
  private int submitPosition;
  private int[] submitOrder;
  private final ArrayDeque<Entry<T>> window = new ArrayDeque<>();

  private Cursor delivered = Cursor.START;
  private Batch<T> pending;
  private boolean exhausted;
  private boolean closed;
  private long skipped;

  private DataLoader(Builder<T> b) {
    this.samples = List.copyOf(b.samples);
    this.transform = b.transform;
    this.batchSize = b.batchSize;
    this.seed = b.seed;
    this.shuffle = b.shuffle;
    this.dropLast = b.dropLast;
    this.prefetchBatches = b.prefetchBatches;
    this.rank = b.rank;
    this.worldSize = b.worldSize;
    this.epochs = b.epochs;
    this.listener = b.listener != null ? b.listener : new BadSampleCounter();
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(b.threads, r -> {
      Thread t = new Thread(r, "blip4j-loader-" + n.getAndIncrement());
      t.setDaemon(true);
      return t;
    });
    seek(Cursor.START);
  }

  /** Starts a builder over {@code samples} (kept as given; indices are list positions). */
  public static <T> Builder<T> builder(List<Sample> samples, SampleTransform<T> transform) {
    return new Builder<>(samples, transform);
  }

  /** Where the loader stands after the last batch returned by {@link #next()} (or the resume point). */
  public Cursor cursor() {
    return delivered;
  }

  /**
   * Continues from {@code cursor} (from {@link #cursor()} or {@link Batch#cursor()} of a loader built
   * with the same samples and options): in-flight work is discarded.
   */
  public void resume(Cursor cursor) {
    ensureOpen();
    Objects.requireNonNull(cursor, "cursor");
    cancelWindow();
    pending = null;
    exhausted = false;
    seek(cursor);
  }

  /** Samples skipped as bad so far by this loader. */
  public long skipped() {
    return skipped;
  }

  /** Number of samples this rank sees per epoch (before bad ones are skipped). */
  public int samplesPerEpoch() {
    int n = samples.size();
    return rank >= n ? 0 : (n - rank + worldSize - 1) / worldSize;
  }

  /** Batches per epoch for this rank (bad samples are replaced, so this holds unless an epoch runs short of good ones). */
  public int batchesPerEpoch() {
    int n = samplesPerEpoch();
    return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
  }

  @Override
  public boolean hasNext() {
    ensureOpen();
    if (pending == null && !exhausted) {
      pending = assemble();
      exhausted = pending == null;
    }
    return pending != null;
  }

  @Override
  public Batch<T> next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the loader has finished its " + epochs + " epochs");
    }
    Batch<T> b = pending;
    pending = null;
    delivered = b.cursor();
    return b;
  }

  /** Stops the worker threads; in-flight transforms are interrupted. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    cancelWindow();
    pool.shutdownNow();
    try {
      pool.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------------------------------------

  private void seek(Cursor c) {
    int size = samplesPerEpoch();
    if (c.position() > size) {
      throw new IllegalArgumentException("cursor " + c + " is beyond the epoch's " + size + " samples for rank "
          + rank + " of " + worldSize + "; was it saved by a loader over different data?");
    }
    epoch = c.epoch();
    position = (int) c.position();
    order = orderOf(epoch);
    if (position == size && size > 0) {
      epoch++;
      position = 0;
      order = orderOf(epoch);
    }
    submitEpoch = epoch;
    submitPosition = position;
    submitOrder = order;
    delivered = new Cursor(epoch, position);
  }

  private int[] orderOf(long e) {
    return SampleOrder.shard(SampleOrder.permutation(samples.size(), seed, e, shuffle), rank, worldSize);
  }

  /** Builds the next batch (advancing the consumer state), or null when the epochs are done. */
  private Batch<T> assemble() {
    List<T> items = new ArrayList<>(batchSize);
    List<String> keys = new ArrayList<>(batchSize);
    int taken = 0;
    boolean epochHadBatch = epoch == delivered.epoch() && position > 0;
    topUp(taken);
    while (items.size() < batchSize) {
      if (epoch >= epochs) {
        return null;
      }
      if (position == order.length) { // end of the epoch
        if (!items.isEmpty() && !dropLast) {
          break;
        }
        if (!epochHadBatch && epochs == Long.MAX_VALUE) {
          throw new IllegalStateException("epoch " + epoch + " produced no batch (" + order.length
              + " samples for rank " + rank + ", batch size " + batchSize + ", drop_last " + dropLast
              + ", " + skipped + " bad so far): the loader would never yield");
        }
        items.clear();
        keys.clear();
        nextEpoch();
        epochHadBatch = false;
        continue;
      }
      Entry<T> entry = take(taken);
      taken++;
      position++;
      Sample s = samples.get(entry.index());
      Outcome<T> out = await(entry);
      if (out.error() == null) {
        items.add(out.value());
        keys.add(s.key());
      } else {
        skipped++;
        reportBad(s, out.error());
      }
    }
    long batchEpoch = epoch;
    if (position == order.length) {
      nextEpoch();
    }
    return new Batch<>(items, keys, batchEpoch, new Cursor(epoch, position));
  }

  private void nextEpoch() {
    epoch++;
    position = 0;
    order = submitEpoch == epoch ? submitOrder : orderOf(epoch);
  }

  /** The entry at the consumer's place, submitting it first if prefetch has not reached it. */
  private Entry<T> take(int taken) {
    if (window.isEmpty()) {
      submitOne();
    }
    Entry<T> e = window.poll();
    if (e.epoch() != epoch || e.position() != position) {
      throw new IllegalStateException("loader out of step: expected (" + epoch + ", " + position + "), got ("
          + e.epoch() + ", " + e.position() + ")");
    }
    topUp(taken + 1);
    return e;
  }

  /** Submits work while fewer than prefetch·B samples are in flight beyond those already returned. */
  private void topUp(int takenThisBatch) {
    long limit = (long) prefetchBatches * batchSize;
    while (window.size() + takenThisBatch < limit && submitOne()) {
      // keep filling
    }
  }

  private boolean submitOne() {
    while (submitPosition == submitOrder.length) {
      if (submitEpoch + 1 >= epochs || samplesPerEpoch() == 0) {
        return false;
      }
      submitEpoch++;
      submitPosition = 0;
      submitOrder = orderOf(submitEpoch);
    }
    if (submitEpoch >= epochs) {
      return false;
    }
    int index = submitOrder[submitPosition];
    long e = submitEpoch;
    Sample s = samples.get(index);
    Future<Outcome<T>> f = pool.submit(() -> {
      try {
        return new Outcome<T>(transform.apply(s, SampleOrder.sampleRandom(seed, e, index)), null);
      } catch (Exception ex) {
        return new Outcome<T>(null, ex);
      }
    });
    window.add(new Entry<>(e, submitPosition, index, f));
    submitPosition++;
    return true;
  }

  private Outcome<T> await(Entry<T> e) {
    try {
      return e.future().get();
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for sample " + samples.get(e.index()).key(), ex);
    } catch (CancellationException ex) {
      throw new IllegalStateException("loader closed while waiting for sample " + samples.get(e.index()).key(), ex);
    } catch (ExecutionException ex) {
      // only Errors (OutOfMemoryError, …) get here: exceptions are caught in the task
      Throwable c = ex.getCause();
      if (c instanceof Error err) {
        throw err;
      }
      return new Outcome<>(null, c);
    }
  }

  private void reportBad(Sample s, Throwable error) {
    BadReason reason;
    if (error instanceof ImageDecodeException ide) {
      reason = Samples.classify(ide);
    } else if (error instanceof UncheckedIOException u && u.getCause() instanceof NoSuchFileException
        || error instanceof NoSuchFileException) {
      reason = BadReason.MISSING_IMAGE;
    } else {
      reason = BadReason.MALFORMED_RECORD; // no closer category: a transform failure on this record
    }
    String what = error.getMessage() == null ? error.getClass().getName() : error.getClass().getSimpleName() + ": " + error.getMessage();
    listener.onBadSample(s.key(), reason, "transform failed for " + s.image().source() + ": " + what);
  }

  private void cancelWindow() {
    for (Entry<T> e : window) {
      e.future().cancel(true);
    }
    window.clear();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the loader is closed");
    }
  }

  /** Options of a {@link DataLoader}; defaults: batch 32, seed 0, shuffle, keep last, 2 threads, prefetch 2. */
  public static final class Builder<T> {
    private final List<Sample> samples;
    private final SampleTransform<T> transform;
    private int batchSize = 32;
    private long seed;
    private boolean shuffle = true;
    private boolean dropLast;
    private int threads = 2;
    private int prefetchBatches = 2;
    private int rank;
    private int worldSize = 1;
    private long epochs = Long.MAX_VALUE;
    private BadSampleListener listener;

    private Builder(List<Sample> samples, SampleTransform<T> transform) {
      this.samples = Objects.requireNonNull(samples, "samples");
      this.transform = Objects.requireNonNull(transform, "transform");
    }

    public Builder<T> batchSize(int b) {
      require(b >= 1, "batchSize must be >= 1, got " + b);
      batchSize = b;
      return this;
    }

    public Builder<T> seed(long s) {
      seed = s;
      return this;
    }

    public Builder<T> shuffle(boolean s) {
      shuffle = s;
      return this;
    }

    public Builder<T> dropLast(boolean d) {
      dropLast = d;
      return this;
    }

    /** Worker threads for the transform (>= 1). */
    public Builder<T> threads(int n) {
      require(n >= 1, "threads must be >= 1, got " + n);
      threads = n;
      return this;
    }

    /** Batches in flight, the one being waited for included (>= 1). */
    public Builder<T> prefetchBatches(int k) {
      require(k >= 1, "prefetchBatches must be >= 1, got " + k);
      prefetchBatches = k;
      return this;
    }

    /** This process is {@code rank} of {@code worldSize}; it takes every worldSize-th sample. */
    public Builder<T> shard(int rank, int worldSize) {
      require(worldSize >= 1 && rank >= 0 && rank < worldSize,
          "need 0 <= rank < worldSize, got rank " + rank + " of " + worldSize);
      this.rank = rank;
      this.worldSize = worldSize;
      return this;
    }

    /** Stop after this many epochs (default: never). */
    public Builder<T> epochs(long e) {
      require(e >= 1, "epochs must be >= 1, got " + e);
      epochs = e;
      return this;
    }

    /** Where bad samples are reported (default: a {@link BadSampleCounter}, which logs them). */
    public Builder<T> listener(BadSampleListener l) {
      listener = Objects.requireNonNull(l, "listener");
      return this;
    }

    public DataLoader<T> build() {
      return new DataLoader<>(this);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
