package org.blip4j.data.loader;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The deterministic sample orders of a {@link DataLoader}: a per-epoch permutation (Fisher–Yates
 * driven by a generator seeded from (seed, epoch)), the rank's share of it (every W-th entry,
 * starting at entry {@code rank}), and each sample's own random stream.
 */
public final class SampleOrder {
  private SampleOrder() {}

  /** SplitMix64 finaliser: a strong 64-bit mix. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static long combine(long a, long b) {
    return mix(a * 0x9e3779b97f4a7c15L + mix(b + 0x632be59bd9b4e019L));
  }

  /** The permutation of {@code 0..n-1} for an epoch; the identity when {@code shuffle} is false. */
  public static int[] permutation(int n, long seed, long epoch, boolean shuffle) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    if (shuffle) {
      SplittableRandom rng = new SplittableRandom(combine(combine(seed, 0x5eedL), epoch));
      for (int i = n - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = p[i];
        p[i] = p[j];
        p[j] = t;
      }
    }
    return p;
  }

  /** The entries of {@code permutation} that rank {@code rank} of {@code worldSize} takes, in order. */
  public static int[] shard(int[] permutation, int rank, int worldSize) {
    int n = permutation.length;
    int count = rank >= n ? 0 : (n - rank + worldSize - 1) / worldSize;
    int[] s = new int[count];
    for (int i = 0; i < count; i++) {
      s[i] = permutation[rank + i * worldSize];
    }
    return s;
  }

  /** The random stream for sample {@code index} in {@code epoch}, independent of threads and ranks. */
  public static SplittableRandom sampleRandom(long seed, long epoch, int index) {
    return new SplittableRandom(combine(combine(combine(seed, 0xa11ceL), epoch), index));
  }

  /**
   * For streaming sources: the order in which rank {@code rank} reads {@code shards} in an epoch
   * (the shard list shuffled with the epoch's permutation, then every W-th shard). Samples within a
   * shard keep their file order.
   */
  public static <S> List<S> shardOrder(List<S> shards, long seed, long epoch, boolean shuffle, int rank, int worldSize) {
    int[] mine = shard(permutation(shards.size(), seed, epoch, shuffle), rank, worldSize);
    ArrayList<S> out = new ArrayList<>(mine.length);
    for (int i : mine) {
      out.add(shards.get(i));
    }
    return out;
  }
}
