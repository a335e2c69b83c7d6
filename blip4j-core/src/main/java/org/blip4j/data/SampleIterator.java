package org.blip4j.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A closeable, streaming iterator of good samples. Subclasses produce candidates one at a time with
 * {@link #readNext()}; this class applies the caption and image checks of the {@link ReadOptions},
 * reports each bad candidate to the listener and skips it. Not thread-safe.
 */
public abstract class SampleIterator implements Iterator<Sample>, Closeable {
  protected final ReadOptions options;
  private Sample next;
  private boolean done;

  protected SampleIterator(ReadOptions options) {
    this.options = options;
  }

  /**
   * The next candidate, or {@code null} at the end. Structural problems (bad JSON, bad UTF-8, …) are
   * reported by the subclass through {@link #bad} and the record skipped.
   */
  protected abstract Sample readNext() throws IOException;

  /** Reports a skipped record. */
  protected final void bad(String key, BadReason reason, String detail) {
    options.listener().onBadSample(key, reason, detail);
  }

  @Override
  public final boolean hasNext() {
    while (next == null && !done) {
      Sample s;
      try {
        s = readNext();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (s == null) {
        done = true;
        try {
          close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        break;
      }
      Optional<Samples.Problem> p = Samples.check(s, options.imageCheck(), options.decoder());
      if (p.isPresent()) {
        bad(s.key(), p.get().reason(), p.get().detail());
      } else {
        next = s;
      }
    }
    return next != null;
  }

  @Override
  public final Sample next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Sample s = next;
    next = null;
    return s;
  }

  /** A sequential stream over the remaining samples; closing the stream closes this iterator. */
  public final Stream<Sample> stream() {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false)
        .onClose(() -> {
          try {
            close();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
