/**
 * Training data loading: {@link org.blip4j.data.loader.DataLoader} turns a sample list into
 * deterministic, shuffled, sharded, prefetched batches with a resumable
 * {@link org.blip4j.data.loader.Cursor}; {@link org.blip4j.data.loader.SampleOrder} holds the
 * orders (also for streaming shard sources).
 */
package org.blip4j.data.loader;
