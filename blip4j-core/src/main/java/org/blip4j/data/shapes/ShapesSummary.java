package org.blip4j.data.shapes;

import java.util.Map;

/**
 * What {@link ShapesGenerator#generate} wrote (also in {@code summary.json}, except the timing).
 *
 * @param images images per split
 * @param records annotation records per split
 * @param webNoise web captions per kind (clean_web, wrong_attr, mismatch, unrelated)
 * @param nlvrLabels NLVR statements per label, per split
 * @param vqaTypes VQA questions per type
 * @param totalImages all images
 * @param seconds wall time of the generation
 */
public record ShapesSummary(Map<String, Integer> images, Map<String, Integer> records, Map<String, Integer> webNoise,
    Map<String, Map<String, Integer>> nlvrLabels, Map<String, Integer> vqaTypes, int totalImages, double seconds) {
  /** Images per second. */
  public double imagesPerSecond() {
    return totalImages / Math.max(1e-9, seconds);
  }
}
