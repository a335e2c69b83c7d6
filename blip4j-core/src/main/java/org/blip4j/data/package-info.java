/**
 * Dataset formats: streaming readers for salesforce/BLIP annotation JSON lists (caption train/test,
 * VQA, NLVR), JSONL, COCO captions, CSV/TSV and WebDataset / img2dataset tar shards, plus a
 * deterministic shard writer.
 *
 * <p>Every reader is a {@link org.blip4j.data.SampleIterator} (also a {@code Stream} via
 * {@code stream()}) configured by {@link org.blip4j.data.ReadOptions}; {@link org.blip4j.data.SampleReaders}
 * picks one by path. Bad samples are skipped, never silently: each is reported with its key and a
 * {@link org.blip4j.data.BadReason} to a {@link org.blip4j.data.BadSampleListener}, typically a
 * {@link org.blip4j.data.BadSampleCounter} whose {@code summary()} a job logs at the end. Images are
 * decoded lazily ({@link org.blip4j.data.ImageRef#decode}); {@link org.blip4j.data.ImageCheck#DECODE}
 * makes a reader verify each image up front.
 */
package org.blip4j.data;
