package org.blip4j.data.shapes;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A short clip: the objects of one scene moving in straight lines, never overlapping and never
 * leaving the canvas. Frame {@code t} is a {@link Scene} whose objects keep their order.
 *
 * @param frames the frames (at least 2)
 */
public record VideoClip(List<Scene> frames) {

  /** Draws a clip of {@code count} frames. */
  public static VideoClip sample(SplittableRandom r, int size, int count) {
    Scene first = Scene.sample(r, size);
    int n = first.objects().size();
    double[] vx = new double[n];
    double[] vy = new double[n];
    double speed = 2.5 * size / 96.0;
    for (int i = 0; i < n; i++) {
      if (r.nextBoolean()) {
        vx[i] = (r.nextBoolean() ? 1 : -1) * speed * (0.5 + r.nextDouble());
        vy[i] = speed * 0.2 * (r.nextDouble() - 0.5);
      } else {
        vy[i] = (r.nextBoolean() ? 1 : -1) * speed * (0.5 + r.nextDouble());
        vx[i] = speed * 0.2 * (r.nextDouble() - 0.5);
      }
    }
    for (double factor : new double[] {1, 0.5, 0.25, 0}) {
      List<Scene> frames = frames(first, vx, vy, factor, count);
      if (frames != null) {
        return new VideoClip(frames);
      }
    }
    throw new IllegalStateException("a static clip is always valid");
  }

  private static List<Scene> frames(Scene first, double[] vx, double[] vy, double factor, int count) {
    List<Scene> out = new ArrayList<>(count);
    int size = first.size();
    for (int t = 0; t < count; t++) {
      List<SceneObject> objs = new ArrayList<>();
      for (int i = 0; i < first.objects().size(); i++) {
        SceneObject o = first.objects().get(i);
        double cx = o.cx() + vx[i] * factor * t;
        double cy = o.cy() + vy[i] * factor * t;
        if (cx - o.half() < 1 || cy - o.half() < 1 || cx + o.half() > size - 1 || cy + o.half() > size - 1) {
          return null;
        }
        for (SceneObject q : objs) {
          if (Math.abs(q.cx() - cx) < q.half() + o.half() + Scene.GAP && Math.abs(q.cy() - cy) < q.half() + o.half() + Scene.GAP) {
            return null;
          }
        }
        objs.add(new SceneObject(o.shape(), o.color(), o.size(), cx, cy, o.half(), o.rgb()));
      }
      out.add(new Scene(size, List.copyOf(objs), first.background()));
    }
    return out;
  }

  /** Whether the claim holds in every frame. */
  public boolean holdsThroughout(Claim c) {
    return frames.stream().allMatch(f -> f.holds(c));
  }

  /**
   * The direction object {@code i} moves in ("to the left", "to the right", "up", "down"), or
   * {@code null} when it hardly moves or moves diagonally.
   */
  public String direction(int i) {
    SceneObject a = frames.get(0).objects().get(i);
    SceneObject b = frames.get(frames.size() - 1).objects().get(i);
    double dx = b.cx() - a.cx();
    double dy = b.cy() - a.cy();
    double min = 0.08 * frames.get(0).size();
    if (Math.abs(dx) >= min && Math.abs(dx) >= 3 * Math.abs(dy)) {
      return dx > 0 ? "to the right" : "to the left";
    }
    if (Math.abs(dy) >= min && Math.abs(dy) >= 3 * Math.abs(dx)) {
      return dy > 0 ? "down" : "up";
    }
    return null;
  }
}
