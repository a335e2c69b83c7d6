package org.blip4j.data.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.blip4j.data.BadReason;
import org.blip4j.data.BadSampleCounter;
import org.blip4j.data.ImageRef;
import org.blip4j.data.Sample;
import org.blip4j.image.ImageDecodeException;
import org.junit.jupiter.api.Test;

class DataLoaderTest {

  static List<Sample> samples(int n) {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Sample("s" + i, new ImageRef.File(Path.of("img", "s" + i + ".png")), List.of("caption " + i), Map.of()));
    }
    return out;
  }

  static int idx(Sample s) {
    return Integer.parseInt(s.key().substring(1));
  }

  /** key + a draw from the sample's generator, after a random (thread-timing-scrambling) pause. */
  static final SampleTransform<String> JITTERY = (s, rng) -> {
    if (ThreadLocalRandom.current().nextInt(4) == 0) {
      Thread.sleep(0, ThreadLocalRandom.current().nextInt(200_000));
    }
    return s.key() + ":" + rng.nextInt(1_000_000);
  };

  static String key(String item) {
    return item.substring(0, item.indexOf(':'));
  }

  static List<Batch<String>> all(DataLoader<String> loader) {
    List<Batch<String>> out = new ArrayList<>();
    while (loader.hasNext()) {
      out.add(loader.next());
    }
    return out;
  }

  static List<List<String>> items(List<Batch<String>> batches) {
    return batches.stream().map(Batch::items).toList();
  }

  static Map<Long, List<String>> keysByEpoch(List<Batch<String>> batches) {
    Map<Long, List<String>> m = new HashMap<>();
    for (Batch<String> b : batches) {
      m.computeIfAbsent(b.epoch(), e -> new ArrayList<>()).addAll(b.keys());
    }
    return m;
  }

  static List<Batch<String>> run(List<Sample> data, long seed, int threads, int batch, long epochs) {
    try (DataLoader<String> l = DataLoader.builder(data, JITTERY).seed(seed).threads(threads)
        .batchSize(batch).epochs(epochs).build()) {
      return all(l);
    }
  }

  @Test
  void sameSeedSameBatchesForAnyThreadCountOtherSeedOtherOrder() {
    List<Sample> data = samples(103);
    List<Batch<String>> one = run(data, 42, 1, 8, 3);
    List<Batch<String>> four = run(data, 42, 4, 8, 3);
    assertEquals(items(one), items(four), "batches must not depend on the thread count");
    assertEquals(3 * 13, one.size());
    List<Batch<String>> other = run(data, 43, 4, 8, 3);
    assertNotEquals(keysByEpoch(one).get(0L), keysByEpoch(other).get(0L), "another seed must give another order");
    assertNotEquals(keysByEpoch(one).get(0L), keysByEpoch(one).get(1L), "each epoch must be reshuffled");
    // the per-sample generator depends on the epoch: the same sample draws differently next epoch
    Map<String, String> e0 = new HashMap<>();
    Map<String, String> e1 = new HashMap<>();
    for (Batch<String> b : one) {
      for (String it : b.items()) {
        (b.epoch() == 0 ? e0 : e1).put(key(it), it);
      }
    }
    assertNotEquals(e0.get("s5"), e1.get("s5"));
  }

  @Test
  void everySampleExactlyOncePerEpoch() {
    List<Sample> data = samples(103);
    List<Batch<String>> batches = run(data, 7, 3, 10, 2);
    Set<String> expected = new HashSet<>();
    data.forEach(s -> expected.add(s.key()));
    for (long e = 0; e < 2; e++) {
      List<String> keys = keysByEpoch(batches).get(e);
      assertEquals(103, keys.size(), "epoch " + e + " sample count");
      assertEquals(expected, new HashSet<>(keys), "epoch " + e + " covers every sample once");
    }
    List<Integer> sizes = batches.stream().map(Batch::size).toList();
    assertEquals(22, sizes.size());
    assertEquals(3, sizes.get(10));
    assertEquals(3, sizes.get(21));
    assertTrue(sizes.stream().filter(x -> x != 3).allMatch(x -> x == 10));

    try (DataLoader<String> l = DataLoader.builder(data, JITTERY).seed(7).batchSize(10).dropLast(true).epochs(2).build()) {
      List<Batch<String>> dropped = all(l);
      assertEquals(20, dropped.size());
      assertTrue(dropped.stream().allMatch(b -> b.size() == 10));
      // dropping the tail changes nothing before it
      assertEquals(keysByEpoch(batches).get(1L).subList(0, 100), keysByEpoch(dropped).get(1L));
    }
  }

  @Test
  void resumeFromEveryPositionYieldsExactlyTheRest() throws Exception {
    List<Sample> data = samples(23);
    List<Batch<String>> reference = run(data, 5, 2, 5, 3);
    Map<Long, List<String>> ref = keysByEpoch(reference);
    List<String> refItems = new ArrayList<>();
    reference.forEach(b -> refItems.addAll(b.items()));
    ObjectMapper json = new ObjectMapper();
    for (long epoch = 0; epoch < 2; epoch++) {
      for (int p = 0; p <= 23; p++) {
        Cursor c = json.readValue(json.writeValueAsString(new Cursor(epoch, p)), Cursor.class);
        try (DataLoader<String> l = DataLoader.builder(data, JITTERY).seed(5).threads(3).batchSize(5).epochs(3).build()) {
          l.resume(c);
          assertEquals(c.position() == 23 ? new Cursor(epoch + 1, 0) : c, l.cursor());
          List<Batch<String>> rest = all(l);
          Map<Long, List<String>> got = keysByEpoch(rest);
          List<String> expected = ref.get(epoch).subList(p, 23);
          assertEquals(expected, got.getOrDefault(epoch, List.of()), "rest of epoch " + epoch + " from position " + p);
          for (long later = epoch + 1; later < 3; later++) {
            assertEquals(ref.get(later), got.get(later), "epoch " + later + " after resuming at " + c);
          }
          // items (incl. augmentation draws) equal the uninterrupted run's tail
          List<String> restItems = new ArrayList<>();
          rest.forEach(b -> restItems.addAll(b.items()));
          assertEquals(refItems.subList(refItems.size() - restItems.size(), refItems.size()), restItems);
        }
      }
    }
    // resuming from each batch's cursor reproduces the remaining batches exactly
    for (int i = 0; i < reference.size(); i++) {
      try (DataLoader<String> l = DataLoader.builder(data, JITTERY).seed(5).threads(2).batchSize(5).epochs(3).build()) {
        l.resume(reference.get(i).cursor());
        assertEquals(items(reference.subList(i + 1, reference.size())), items(all(l)), "resume after batch " + i);
      }
    }
    // a loader's cursor() mid-run resumes in a fresh loader
    try (DataLoader<String> a = DataLoader.builder(data, JITTERY).seed(5).batchSize(5).epochs(3).build()) {
      a.next();
      a.next();
      assertEquals(new Cursor(0, 10), a.cursor());
      try (DataLoader<String> b = DataLoader.builder(data, JITTERY).seed(5).batchSize(5).epochs(3).build()) {
        b.resume(a.cursor());
        assertEquals(items(all(a)), items(all(b)));
      }
    }
  }

  @Test
  void badSamplesAreSkippedCountedByKeyAndReplaced() {
    List<Sample> data = samples(100);
    Set<String> corrupt = new HashSet<>();
    Set<String> broken = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      if (i % 7 == 3) {
        corrupt.add("s" + i);
      } else if (i % 11 == 5) {
        broken.add("s" + i);
      }
    }
    SampleTransform<String> t = (s, rng) -> {
      if (corrupt.contains(s.key())) {
        throw new ImageDecodeException(s.image().source(), "truncated data");
      }
      if (broken.contains(s.key())) {
        throw new IllegalArgumentException("no tokens");
      }
      return JITTERY.apply(s, rng);
    };
    BadSampleCounter counter = new BadSampleCounter();
    List<Batch<String>> batches;
    try (DataLoader<String> l = DataLoader.builder(data, t).seed(3).threads(4).batchSize(8).epochs(1).listener(counter).build()) {
      batches = all(l);
      assertEquals(corrupt.size() + broken.size(), l.skipped());
    }
    Set<String> delivered = new HashSet<>(keysByEpoch(batches).get(0L));
    Set<String> good = new HashSet<>();
    data.forEach(s -> good.add(s.key()));
    good.removeAll(corrupt);
    good.removeAll(broken);
    assertEquals(good, delivered, "every good sample delivered, no bad one");
    assertEquals(good.size(), keysByEpoch(batches).get(0L).size());
    for (int i = 0; i < batches.size() - 1; i++) {
      assertEquals(8, batches.get(i).size(), "batch " + i + " refilled to full size");
    }
    assertEquals(corrupt.size(), counter.count(BadReason.CORRUPT_IMAGE));
    assertEquals(broken.size(), counter.count(BadReason.MALFORMED_RECORD));
    Set<String> reportedCorrupt = new HashSet<>();
    Set<String> reportedBroken = new HashSet<>();
    for (BadSampleCounter.BadSample b : counter.samples()) {
      (b.reason() == BadReason.CORRUPT_IMAGE ? reportedCorrupt : reportedBroken).add(b.key());
      assertTrue(b.detail().contains(b.key() + ".png"), b.detail());
    }
    assertEquals(corrupt, reportedCorrupt);
    assertEquals(broken, reportedBroken);
    assertEquals(counter.samples().size(), new HashSet<>(counter.samples()).size(), "each bad sample reported once");
  }

  @Test
  void prefetchIsBounded() {
    int k = 3;
    int b = 4;
    AtomicInteger started = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    AtomicInteger consumed = new AtomicInteger();
    AtomicInteger highWater = new AtomicInteger();
    SampleTransform<Integer> t = (s, rng) -> {
      int ahead = started.incrementAndGet() - consumed.get();
      highWater.accumulateAndGet(ahead, Math::max);
      finished.incrementAndGet();
      return idx(s);
    };
    int readyAhead = 0;
    try (DataLoader<Integer> l = DataLoader.builder(samples(60), t).threads(4).batchSize(b).prefetchBatches(k).epochs(2).build()) {
      while (l.hasNext()) {
        Batch<Integer> batch = l.next();
        consumed.addAndGet(batch.size());
        try {
          Thread.sleep(5); // a slow consumer: the workers would race ahead if unbounded
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
        readyAhead = Math.max(readyAhead, finished.get() - consumed.get());
      }
    }
    assertEquals(120, started.get());
    assertTrue(highWater.get() <= k * b, "transform ran " + highWater.get() + " samples ahead, bound " + k * b);
    // while the consumer works on a batch, the following K-1 batches are prepared in the background
    assertEquals((k - 1) * b, readyAhead, "prefetch should fill its window while the consumer sleeps");
  }

  @Test
  void twoRanksCoverTheEpochDisjointly() {
    List<Sample> data = samples(51);
    Map<Integer, List<String>> perRank = new HashMap<>();
    for (int r = 0; r < 2; r++) {
      try (DataLoader<String> l = DataLoader.builder(data, JITTERY).seed(9).batchSize(4).shard(r, 2).epochs(1).build()) {
        assertEquals(r == 0 ? 26 : 25, l.samplesPerEpoch());
        perRank.put(r, keysByEpoch(all(l)).get(0L));
      }
    }
    assertEquals(26, perRank.get(0).size());
    assertEquals(25, perRank.get(1).size());
    Set<String> union = new HashSet<>(perRank.get(0));
    union.addAll(perRank.get(1));
    assertEquals(51, union.size(), "ranks are disjoint and cover the epoch");
    // interleaved, the ranks' orders are the single-rank order
    List<String> single = keysByEpoch(run(data, 9, 2, 4, 1)).get(0L);
    for (int i = 0; i < 51; i++) {
      assertEquals(single.get(i), perRank.get(i % 2).get(i / 2));
    }
  }

  @Test
  void closeStopsTheWorkers() throws InterruptedException {
    Set<Thread> workers = ConcurrentHashMap.newKeySet();
    SampleTransform<String> t = (s, rng) -> {
      workers.add(Thread.currentThread());
      return s.key();
    };
    DataLoader<String> l = DataLoader.builder(samples(40), t).threads(3).batchSize(4).build();
    l.next();
    l.close();
    assertFalse(workers.isEmpty());
    for (Thread w : workers) {
      w.join(2_000); // the pool has terminated; give each thread a moment to exit its run()
      assertFalse(w.isAlive(), w.getName() + " still alive after close");
    }
    assertThrows(IllegalStateException.class, l::hasNext);
  }

  @Test
  void aLoaderThatCanNeverYieldFailsClearly() {
    try (DataLoader<String> l = DataLoader.builder(samples(3), JITTERY).batchSize(4).dropLast(true).build()) {
      IllegalStateException e = assertThrows(IllegalStateException.class, l::hasNext);
      assertTrue(e.getMessage().contains("produced no batch"), e.getMessage());
    }
    try (DataLoader<String> l = DataLoader.builder(samples(10), JITTERY).batchSize(4).build()) {
      assertThrows(IllegalArgumentException.class, () -> l.resume(new Cursor(0, 11)));
    }
  }
}
