package org.blip4j;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Process-wide runtime settings, applied before DJL starts: offline mode (nothing is ever
 * downloaded), the PyTorch engine pinned, the intra-op thread count. Idempotent.
 */
public final class Blip4j {
  private static volatile boolean initialised;

  private Blip4j() {}

  /** Configures DJL (offline, PyTorch, threads from {@code BLIP4J_THREADS} or the core count) and starts the engine. */
  public static synchronized void init() {
    if (initialised) {
      return;
    }
    System.setProperty("ai.djl.offline", "true");
    setIfAbsent("ai.djl.default_engine", "PyTorch");
    String threads = System.getenv("BLIP4J_THREADS");
    if (threads == null || threads.isBlank()) {
      threads = Integer.toString(Runtime.getRuntime().availableProcessors());
    }
    setIfAbsent("ai.djl.pytorch.num_threads", threads);
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    setIfAbsent("ai.djl.pytorch.graph_optimizer", "false");
    Engine.getEngine("PyTorch");
    initialised = true;
  }

  /**
   * Prepares the calling thread for inference: grad mode is per thread in libtorch and only the
   * engine-initialising thread starts with it off.
   */
  public static void inferenceThread() {
    init();
    JniUtils.setGradMode(false);
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
