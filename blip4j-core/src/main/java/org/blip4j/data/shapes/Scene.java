package org.blip4j.data.shapes;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.blip4j.data.shapes.Vocabulary.Color;
import org.blip4j.data.shapes.Vocabulary.Position;
import org.blip4j.data.shapes.Vocabulary.Relation;
import org.blip4j.data.shapes.Vocabulary.Shape;
import org.blip4j.data.shapes.Vocabulary.Size;

/**
 * A scene graph: 1 to 4 non-overlapping objects on a dark background of side {@code size} pixels.
 * Geometry predicates use margins so that every stated relation or position is unambiguous:
 * A is left of B when A's box ends at least {@link #relationMargin()} before B's box starts; an
 * object is "at the top" when its whole box lies above {@code size/2 - positionMargin}.
 *
 * @param size canvas side in pixels
 * @param objects the objects, in drawing order
 * @param background background parameters: base RGB (0xRRGGBB), gradient target RGB, noise seed
 */
public record Scene(int size, List<SceneObject> objects, Background background) {

  /** Background: a vertical/horizontal gradient between two dark colors plus mild noise. */
  public record Background(int from, int to, boolean vertical, int noise, long noiseSeed) {}

  /** Objects are at least this many pixels apart (box to box). */
  static final double GAP = 2;

  /** Box-to-box distance required for a relation. */
  public double relationMargin() {
    return Math.max(2, 0.03 * size);
  }

  /** Distance from the middle line required for a position. */
  public double positionMargin() {
    return 0.05 * size;
  }

  /** Draws a scene: 1–4 objects, sometimes repeating an earlier color+shape (for count captions). */
  public static Scene sample(SplittableRandom r, int size) {
    int want = 1 + r.nextInt(4);
    List<SceneObject> objs = new ArrayList<>(want);
    Shape[] shapes = Shape.values();
    Color[] colors = Color.values();
    for (int attempt = 0; objs.size() < want && attempt < 300; attempt++) {
      Shape shape;
      Color color;
      if (!objs.isEmpty() && r.nextDouble() < 0.3) {
        SceneObject p = objs.get(r.nextInt(objs.size()));
        shape = p.shape();
        color = p.color();
      } else {
        shape = shapes[r.nextInt(shapes.length)];
        color = colors[r.nextInt(colors.length)];
      }
      Size sz = r.nextDouble() < (objs.isEmpty() ? 0.5 : 0.3) ? Size.LARGE : Size.SMALL;
      double frac = sz == Size.SMALL ? 0.10 + 0.06 * r.nextDouble() : 0.28 + 0.10 * r.nextDouble();
      double half = frac * size / 2;
      double span = size - 2 * half - 2;
      double cx = half + 1 + r.nextDouble() * span;
      double cy = half + 1 + r.nextDouble() * span;
      int rgb = jitter(color.rgb, r);
      SceneObject o = new SceneObject(shape, color, sz, cx, cy, half, rgb);
      boolean free = true;
      for (SceneObject q : objs) {
        if (Math.abs(q.cx() - cx) < q.half() + half + GAP && Math.abs(q.cy() - cy) < q.half() + half + GAP) {
          free = false;
          break;
        }
      }
      if (free) {
        objs.add(o);
      }
    }
    int base = dark(r);
    int to = dark(r);
    Background bg = new Background(base, to, r.nextBoolean(), 4 + r.nextInt(6), r.nextLong());
    return new Scene(size, List.copyOf(objs), bg);
  }

  private static int dark(SplittableRandom r) {
    return ((18 + r.nextInt(40)) << 16) | ((18 + r.nextInt(40)) << 8) | (18 + r.nextInt(40));
  }

  private static int jitter(int rgb, SplittableRandom r) {
    int out = 0;
    for (int shift = 16; shift >= 0; shift -= 8) {
      int c = (rgb >> shift) & 0xFF;
      c = Math.max(0, Math.min(255, c + r.nextInt(-12, 13)));
      out |= c << shift;
    }
    return out;
  }

  /** Whether {@code a} stands in {@code rel} to {@code b}, with the margin. */
  public boolean related(SceneObject a, Relation rel, SceneObject b) {
    return related(a, rel, b, relationMargin());
  }

  private static boolean related(SceneObject a, Relation rel, SceneObject b, double m) {
    return switch (rel) {
      case LEFT_OF -> a.maxX() + m <= b.minX();
      case RIGHT_OF -> b.maxX() + m <= a.minX();
      case ABOVE -> a.maxY() + m <= b.minY();
      case BELOW -> b.maxY() + m <= a.minY();
    };
  }

  /** Whether {@code o} is at {@code pos}, with the margin. */
  public boolean at(SceneObject o, Position pos) {
    return at(o, pos, positionMargin());
  }

  private boolean at(SceneObject o, Position pos, double m) {
    double mid = size / 2.0;
    return switch (pos) {
      case LEFT -> o.maxX() <= mid - m;
      case RIGHT -> o.minX() >= mid + m;
      case TOP -> o.maxY() <= mid - m;
      case BOTTOM -> o.minY() >= mid + m;
    };
  }

  /** Number of objects of this color and shape. */
  public int count(Color c, Shape s) {
    int n = 0;
    for (SceneObject o : objects) {
      if (o.color() == c && o.shape() == s) {
        n++;
      }
    }
    return n;
  }

  /** Whether the claim is true of this scene (relations and positions with their margins). */
  public boolean holds(Claim claim) {
    return holds(claim, relationMargin(), positionMargin());
  }

  /**
   * Whether the claim could be read as true: relations and positions with NEGATIVE margins. A
   * noisy caption must not even be plausible, so that it is false under any reasonable reading.
   */
  public boolean plausible(Claim claim) {
    return holds(claim, -relationMargin(), -positionMargin());
  }

  private boolean holds(Claim claim, double relMargin, double posMargin) {
    if (claim instanceof Claim.Exists e) {
      return objects.stream().anyMatch(e.np()::matches);
    } else if (claim instanceof Claim.Both b) {
      for (SceneObject x : objects) {
        for (SceneObject y : objects) {
          if (x != y && b.a().matches(x) && b.b().matches(y)) {
            return true;
          }
        }
      }
      return false;
    } else if (claim instanceof Claim.Rel rel) {
      for (SceneObject x : objects) {
        for (SceneObject y : objects) {
          if (x != y && rel.a().matches(x) && rel.b().matches(y) && related(x, rel.relation(), y, relMargin)) {
            return true;
          }
        }
      }
      return false;
    } else if (claim instanceof Claim.Count c) {
      return count(c.color(), c.shape()) == c.n();
    } else if (claim instanceof Claim.Total t) {
      return objects.size() == t.n();
    } else if (claim instanceof Claim.Pos p) {
      return objects.stream().anyMatch(o -> p.np().matches(o) && at(o, p.position(), posMargin));
    }
    throw new IllegalArgumentException("unknown claim " + claim);
  }
}
