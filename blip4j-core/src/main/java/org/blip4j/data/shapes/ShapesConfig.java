package org.blip4j.data.shapes;

/**
 * Settings of a Shapes world.
 *
 * @param scale multiplies every split's default size (at least one item per split)
 * @param noise fraction of web captions that are noisy, split equally among wrong_attr, mismatch, unrelated
 * @param imageSize canvas side in pixels
 * @param seed the seed; equal settings give byte-identical output
 * @param threads worker threads (the output does not depend on it)
 */
public record ShapesConfig(double scale, double noise, int imageSize, long seed, int threads) {
  /** Validates the settings. */
  public ShapesConfig {
    if (!(scale > 0)) {
      throw new IllegalArgumentException("scale must be > 0, got " + scale);
    }
    if (!(noise >= 0 && noise <= 1)) {
      throw new IllegalArgumentException("noise must be in [0, 1], got " + noise);
    }
    if (imageSize < 32 || imageSize > 4096) {
      throw new IllegalArgumentException("image size must be in [32, 4096] pixels, got " + imageSize);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
  }

  /** Defaults: scale 1, noise 0.4, 96 px, seed 0, all processors. */
  public static ShapesConfig defaults() {
    return new ShapesConfig(1.0, 0.4, 96, 0, Runtime.getRuntime().availableProcessors());
  }

  /** A copy with another scale. */
  public ShapesConfig withScale(double s) {
    return new ShapesConfig(s, noise, imageSize, seed, threads);
  }

  /** A copy with another seed. */
  public ShapesConfig withSeed(long s) {
    return new ShapesConfig(scale, noise, imageSize, s, threads);
  }

  /** A copy with another thread count. */
  public ShapesConfig withThreads(int t) {
    return new ShapesConfig(scale, noise, imageSize, seed, t);
  }
}
