package org.blip4j.reproduce;

import org.blip4j.capfilt.CapFiltListener;
import org.blip4j.data.shapes.ShapesProgressListener;
import org.blip4j.eval.EvalProgress;
import org.blip4j.train.TrainingListener;

/**
 * Told how a {@link Reproduction} goes: stages and their inner progress. The core never prints.
 * Stages that do not depend on each other run at once on worker threads; the pipeline calls its
 * listener, and the inner listeners it hands out, one call at a time ({@link #synchronizedOn}), so an
 * implementation needs no locking of its own, but it must keep what it tracks per stage.
 */
public interface ReproductionListener {
  /** Nothing. */
  ReproductionListener NONE = new ReproductionListener() {};

  /** A stage starts (or resumes an interrupted run of itself). */
  default void stageStarted(String stage, String description) {}

  /** A stage is skipped: its result marker exists. */
  default void stageSkipped(String stage) {}

  /** A stage finished and wrote its result marker. */
  default void stageFinished(String stage, double seconds) {}

  /** Progress of the stage's training, if it trains (null: none). */
  default TrainingListener training(String stage) {
    return null;
  }

  /** Progress of the stage's CapFilt run. */
  default CapFiltListener capfilt(String stage) {
    return CapFiltListener.NONE;
  }

  /** Progress of the stage's evaluations. */
  default EvalProgress eval(String stage) {
    return EvalProgress.none();
  }

  /** Progress of the Shapes world's generation. */
  default ShapesProgressListener shapes() {
    return (done, total) -> {};
  }

  /**
   * {@code target} behind a lock: every call, and every call of the listeners its methods return
   * (interfaces, wrapped alike), runs while holding {@code lock}.
   */
  static ReproductionListener synchronizedOn(Object lock, ReproductionListener target) {
    return synced(lock, ReproductionListener.class, target);
  }

  private static <T> T synced(Object lock, Class<T> type, T target) {
    return type.cast(java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
      Object result;
      synchronized (lock) {
        try {
          result = method.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
          throw e.getCause();
        }
      }
      Class<?> returned = method.getReturnType();
      return result != null && returned.isInterface() && method.getDeclaringClass() != Object.class ? syncedAs(lock, returned, result) : result;
    }));
  }

  private static <T> T syncedAs(Object lock, Class<T> type, Object target) {
    return synced(lock, type, type.cast(target));
  }
}
