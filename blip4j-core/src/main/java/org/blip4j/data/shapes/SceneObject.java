package org.blip4j.data.shapes;

import org.blip4j.data.shapes.Vocabulary.Color;
import org.blip4j.data.shapes.Vocabulary.Shape;
import org.blip4j.data.shapes.Vocabulary.Size;

/**
 * One object of a scene: its attributes and its axis-aligned bounding box (a square of side
 * {@code 2 * half} centred on ({@code cx}, {@code cy}), pixels, y downwards). The drawn shape lies
 * inside the box. {@code rgb} is the drawn color (the nominal color with a small jitter).
 */
public record SceneObject(Shape shape, Color color, Size size, double cx, double cy, double half, int rgb) {
  /** Left edge. */
  public double minX() {
    return cx - half;
  }

  /** Right edge. */
  public double maxX() {
    return cx + half;
  }

  /** Top edge. */
  public double minY() {
    return cy - half;
  }

  /** Bottom edge. */
  public double maxY() {
    return cy + half;
  }
}
