package org.blip4j.capfilt;

/** Told how a CapFilt run goes; the core never prints. Called on the job's thread. */
public interface CapFiltListener {
  /** Nothing. */
  CapFiltListener NONE = new CapFiltListener() {};

  /**
   * The run starts.
   *
   * @param samples readable web samples in the input
   * @param shards work shards they make
   * @param finishedShards shards already written by an earlier run (skipped)
   * @param finishedSamples samples in those shards
   */
  default void started(long samples, int shards, int finishedShards, long finishedSamples) {}

  /**
   * One shard was processed and written.
   *
   * @param shard its number
   * @param samplesDone samples in all finished shards now (earlier runs included)
   * @param skipped samples of this shard skipped for a bad image
   */
  default void shardWritten(int shard, long samplesDone, int skipped) {}

  /** The shards are merged into {@code bootstrapped.json} and the report. */
  default void merged() {}
}
