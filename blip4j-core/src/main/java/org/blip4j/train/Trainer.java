package org.blip4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.blip4j.data.loader.Batch;
import org.blip4j.data.loader.DataLoader;
import org.blip4j.nn.Dropout;

/**
 * The training loop every objective uses: data loader → batch → {@link Objective#step} with this
 * step's learning rate and generator → metrics and checkpoints.
 *
 * <ul>
 *   <li>{@code metrics.jsonl} gets every {@code logEvery}-th step and {@code loss.png} is redrawn at
 *       each checkpoint and at the end;
 *   <li>a checkpoint ({@link Checkpoints}) is written every {@code checkpointEvery} steps, at each
 *       epoch end and after the last step;
 *   <li>{@link #run} with {@code resume} continues from the newest checkpoint: model, momentum
 *       copies, queues, optimiser moments and step, data cursor. Every random draw of a step comes
 *       from (seed, step) — torch's generator, used for dropout, is seeded from it before the step —
 *       every augmentation from (seed, epoch, sample), so a resumed run computes
 *       exactly what an uninterrupted one would (bit for bit at a fixed thread count).
 * </ul>
 */
public final class Trainer {

  /**
   * Loop settings.
   *
   * @param out run directory (metrics.jsonl, loss.png, checkpoints/)
   * @param epochs epochs to run
   * @param maxSteps stop after this many steps in total (≤ 0: no limit)
   * @param schedule learning rate per (step, epoch)
   * @param seed the run's seed
   * @param logEvery metrics line every N steps
   * @param checkpointEvery checkpoint every N steps (≤ 0: only at epoch ends and the end)
   * @param keepLast checkpoints kept
   * @param title plot title
   */
  public record Options(Path out, int epochs, long maxSteps, LearningRate schedule, long seed, int logEvery, int checkpointEvery,
      int keepLast, String title) {
    public Options {
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
      }
      if (logEvery < 1) {
        throw new IllegalArgumentException("log_every must be >= 1, got " + logEvery);
      }
    }
  }

  private final Options options;
  private final List<TrainingListener> listeners = new ArrayList<>();
  private final Checkpoints checkpoints;

  /** A trainer writing into {@code options.out()}. */
  public Trainer(Options options) {
    this.options = options;
    this.checkpoints = new Checkpoints(options.out().resolve("checkpoints"), options.keepLast());
  }

  /** Adds a listener. */
  public Trainer listener(TrainingListener l) {
    listeners.add(l);
    return this;
  }

  /** The checkpoint store. */
  public Checkpoints checkpoints() {
    return checkpoints;
  }

  /** The generator of step {@code step} of a run seeded {@code seed}. */
  public static SplittableRandom stepRandom(long seed, long step) {
    long z = seed * 0x9E3779B97F4A7C15L + (step + 1) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return new SplittableRandom(z ^ (z >>> 31));
  }

  /**
   * Trains {@code objective} on {@code loader} (built for {@code options.epochs()} epochs).
   *
   * @param resume continue from the newest checkpoint in the run directory (a fresh start when there
   *     is none); without it, a run directory that already holds checkpoints is refused
   * @return the number of steps finished
   */
  public <T> long run(DataLoader<T> loader, Objective<T> objective, boolean resume) {
    try {
      Files.createDirectories(options.out());
      long step = 0;
      Optional<Path> last = checkpoints.latest();
      if (last.isPresent() && !resume) {
        throw new IllegalStateException(options.out() + " already holds checkpoints (newest " + last.get().getFileName()
            + "): pass --resume to continue that run, or choose another --out");
      }
      if (last.isPresent()) {
        Checkpoints.State s = Checkpoints.restore(last.get(), objective);
        if (s.seed() != options.seed()) {
          throw new IllegalStateException("checkpoint " + last.get() + " was written by a run with seed " + s.seed() + ", this run has seed " + options.seed());
        }
        step = s.step();
        loader.resume(s.cursor());
      } else {
        objective.start();
      }
      long perEpoch = Math.max(1, loader.batchesPerEpoch());
      long total = (long) options.epochs() * perEpoch;
      if (options.maxSteps() > 0) {
        total = Math.min(total, options.maxSteps());
      }
      for (TrainingListener l : listeners) {
        l.started(step, total);
      }
      try (MetricsLog metrics = MetricsLog.open(options.out().resolve("metrics.jsonl"), step)) {
        long lastSaved = step;
        float lr = 0;
        while (step < total && loader.hasNext()) {
          long t0 = System.nanoTime();
          Batch<T> batch = loader.next();
          lr = options.schedule().at(step, (int) batch.epoch());
          SplittableRandom random = stepRandom(options.seed(), step);
          Dropout.seedThread(random.nextLong()); // dropout masks reproducible per step, whatever other threads draw
          StepContext ctx = new StepContext(step, batch.epoch(), step - batch.epoch() * perEpoch, perEpoch, lr, random);
          Objective.StepOutput out = objective.step(batch.items(), ctx);
          Map<String, Double> losses = new LinkedHashMap<>(out.losses());
          StepRecord record = new StepRecord(step, batch.epoch(), lr, losses, out.gradNorm(), batch.size(), (System.nanoTime() - t0) / 1e9);
          for (Double v : losses.values()) {
            if (!Double.isFinite(v)) {
              throw new IllegalStateException("step " + step + ": loss is " + v + " (" + losses + "); lower the learning rate or enable max_grad_norm");
            }
          }
          step++;
          if (step % options.logEvery() == 0 || step == total) {
            metrics.append(record);
          }
          for (TrainingListener l : listeners) {
            l.stepped(record);
          }
          boolean epochEnd = batch.cursor().epoch() > batch.epoch();
          boolean due = options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0;
          if (due || epochEnd || step == total) {
            save(objective, step, batch, lr, metrics);
            lastSaved = step;
          }
        }
        if (lastSaved != step) {
          throw new IllegalStateException("the data ran out after step " + step + " of " + total);
        }
        for (TrainingListener l : listeners) {
          l.finished(step);
        }
        return step;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("training run in " + options.out() + ": " + e.getMessage(), e);
    } finally {
      Dropout.unseedThread();
    }
  }

  private <T> void save(Objective<T> objective, long step, Batch<T> batch, float lr, MetricsLog metrics) throws IOException {
    Path dir = checkpoints.save(objective,
        new Checkpoints.State(Checkpoints.FORMAT, step, batch.cursor(), objective.optimizer().step(), options.seed(), lr));
    LossPlot.write(metrics.history(), options.title(), options.out().resolve("loss.png"));
    for (TrainingListener l : listeners) {
      l.checkpointed(step, dir);
    }
  }
}
