package org.blip4j.data.shapes;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.blip4j.data.shapes.Claim.Np;
import org.blip4j.data.shapes.Vocabulary.Color;
import org.blip4j.data.shapes.Vocabulary.Position;
import org.blip4j.data.shapes.Vocabulary.Relation;
import org.blip4j.data.shapes.Vocabulary.Shape;
import org.blip4j.data.shapes.Vocabulary.Size;

/**
 * Captions from scene graphs: true claims drawn from the scene, rendered with one of three template
 * families — {@link Style#HUMAN} (train/val/test), {@link Style#HELD_OUT} (only {@code zs_test}) and
 * {@link Style#WEB} — plus the noisy web kinds (wrong attribute, mismatch, unrelated).
 */
public final class Captions {
  private Captions() {}

  /** Template families. */
  public enum Style {
    HUMAN, HELD_OUT, WEB
  }

  /** Web caption kinds, as written in the {@code "noise"} key. */
  public enum WebKind {
    CLEAN_WEB("clean_web"), WRONG_ATTR("wrong_attr"), MISMATCH("mismatch"), UNRELATED("unrelated");

    /** The label. */
    public final String label;

    WebKind(String label) {
      this.label = label;
    }
  }

  /** Off-topic web text: no word of the vocabulary. */
  public static final List<String> UNRELATED = List.of("from bridge near my house", "best pizza in town", "my dog sleeping on the sofa",
      "sunset over the lake", "happy birthday to my sister", "vintage car show 2019", "new shoes just arrived",
      "view from the hotel window", "coffee and a good book", "rainy day in the city", "wedding photos part 2",
      "hiking trail in autumn", "grandma's apple pie recipe", "concert last night was amazing", "funny cat compilation",
      "street market in summer", "old train station at dawn", "my garden this morning", "notes from the team meeting",
      "mountain cabin for rent");

  /** A random true claim about the scene, or {@code null} when the drawn kind does not apply. */
  static Claim trueClaim(Scene scene, SplittableRandom r) {
    List<SceneObject> objs = scene.objects();
    SceneObject a = objs.get(r.nextInt(objs.size()));
    switch (r.nextInt(7)) {
      case 0:
      case 1:
        return new Claim.Exists(np(a, r));
      case 2: {
        if (objs.size() < 2) {
          return null;
        }
        SceneObject b = other(objs, a, r);
        Np na = np(a, r);
        Np nb = np(b, r);
        return na.equals(nb) ? null : new Claim.Both(na, nb);
      }
      case 3: {
        if (objs.size() < 2) {
          return null;
        }
        SceneObject b = other(objs, a, r);
        List<Relation> rels = new ArrayList<>();
        for (Relation rel : Relation.values()) {
          if (scene.related(a, rel, b)) {
            rels.add(rel);
          }
        }
        return rels.isEmpty() ? null : new Claim.Rel(np(a, r), rels.get(r.nextInt(rels.size())), np(b, r));
      }
      case 4: {
        int n = scene.count(a.color(), a.shape());
        return n >= 2 ? new Claim.Count(n, a.color(), a.shape()) : null;
      }
      case 5:
        return new Claim.Total(objs.size());
      default: {
        List<Position> ps = new ArrayList<>();
        for (Position p : Position.values()) {
          if (scene.at(a, p)) {
            ps.add(p);
          }
        }
        return ps.isEmpty() ? null : new Claim.Pos(np(a, r), ps.get(r.nextInt(ps.size())));
      }
    }
  }

  private static SceneObject other(List<SceneObject> objs, SceneObject a, SplittableRandom r) {
    while (true) {
      SceneObject b = objs.get(r.nextInt(objs.size()));
      if (b != a) {
        return b;
      }
    }
  }

  private static Np np(SceneObject o, SplittableRandom r) {
    return new Np(o.color(), o.shape(), r.nextDouble() < 0.35 ? o.size() : null);
  }

  /** {@code k} distinct true captions in the style (duplicates only if the scene offers too few). */
  public static List<String> captions(Scene scene, Style style, int k, SplittableRandom r) {
    Set<String> out = new LinkedHashSet<>();
    for (int tries = 0; out.size() < k && tries < 200; tries++) {
      Claim c = trueClaim(scene, r);
      if (c != null) {
        out.add(text(c, style, r));
      }
    }
    List<String> list = new ArrayList<>(out);
    while (list.size() < k) {
      list.add(list.get(r.nextInt(list.size())));
    }
    return list;
  }

  /**
   * {@code k} captions of a clip: motion captions ("a red circle moving to the right") for objects
   * that clearly move, then human captions that hold in EVERY frame.
   */
  public static List<String> videoCaptions(VideoClip clip, int k, SplittableRandom r) {
    Set<String> out = new LinkedHashSet<>();
    Scene first = clip.frames().get(0);
    for (int i = 0; i < first.objects().size() && out.size() < 2; i++) {
      String dir = clip.direction(i);
      if (dir != null) {
        SceneObject o = first.objects().get(i);
        out.add(np(o, r).withArticle() + " moving " + dir);
      }
    }
    for (int tries = 0; out.size() < k && tries < 300; tries++) {
      Claim c = trueClaim(first, r);
      if (c != null && clip.holdsThroughout(c)) {
        out.add(text(c, Style.HUMAN, r));
      }
    }
    List<String> list = new ArrayList<>(out);
    while (list.size() < k) {
      list.add(list.get(r.nextInt(list.size())));
    }
    return list;
  }

  /**
   * A web caption of the given kind; for {@link WebKind#MISMATCH}, {@code others.apply(k)} is the
   * k-th candidate other image (k = 0, 1, ...), whose caption must be false for {@code scene}.
   */
  public static String web(Scene scene, WebKind kind, java.util.function.IntFunction<Scene> others, SplittableRandom r) {
    switch (kind) {
      case CLEAN_WEB: {
        Claim c;
        do {
          c = trueClaim(scene, r);
        } while (c == null);
        return text(c, Style.WEB, r);
      }
      case WRONG_ATTR:
        return text(falseClaim(scene, r), Style.WEB, r);
      case MISMATCH: {
        // a clean caption of another image that is false here; try other images in turn
        for (int k = 0; k < 50; k++) {
          Scene other = others.apply(k);
          for (int tries = 0; tries < 30; tries++) {
            Claim c = trueClaim(other, r);
            if (c != null && !scene.plausible(c)) {
              return text(c, Style.WEB, r);
            }
          }
        }
        return text(absent(scene, r), Style.WEB, r); // unreachable in practice: 50 images all alike
      }
      case UNRELATED:
        return UNRELATED.get(r.nextInt(UNRELATED.size()));
      default:
        throw new IllegalArgumentException(kind.toString());
    }
  }

  /** A true claim with one color, shape, count, relation or position swapped so that it is false. */
  static Claim falseClaim(Scene scene, SplittableRandom r) {
    for (int tries = 0; tries < 100; tries++) {
      Claim c = trueClaim(scene, r);
      if (c == null) {
        continue;
      }
      Claim m = mutate(c, r);
      if (!scene.plausible(m)) {
        return m;
      }
    }
    return absent(scene, r);
  }

  private static Claim absent(Scene scene, SplittableRandom r) {
    while (true) {
      Claim c = new Claim.Exists(new Np(Color.values()[r.nextInt(8)], Shape.values()[r.nextInt(6)], null));
      if (!scene.plausible(c)) {
        return c;
      }
    }
  }

  private static Claim mutate(Claim c, SplittableRandom r) {
    if (c instanceof Claim.Exists e) {
      return new Claim.Exists(swap(e.np(), r));
    } else if (c instanceof Claim.Both b) {
      return r.nextBoolean() ? new Claim.Both(swap(b.a(), r), b.b()) : new Claim.Both(b.a(), swap(b.b(), r));
    } else if (c instanceof Claim.Rel rel) {
      return switch (r.nextInt(3)) {
        case 0 -> new Claim.Rel(rel.a(), rel.relation().opposite(), rel.b());
        case 1 -> new Claim.Rel(swap(rel.a(), r), rel.relation(), rel.b());
        default -> new Claim.Rel(rel.a(), rel.relation(), swap(rel.b(), r));
      };
    } else if (c instanceof Claim.Count k) {
      if (r.nextBoolean()) {
        int n;
        do {
          n = 2 + r.nextInt(3);
        } while (n == k.n());
        return new Claim.Count(n, k.color(), k.shape());
      }
      return new Claim.Count(k.n(), otherColor(k.color(), r), k.shape());
    } else if (c instanceof Claim.Total t) {
      int n;
      do {
        n = 1 + r.nextInt(4);
      } while (n == t.n());
      return new Claim.Total(n);
    } else if (c instanceof Claim.Pos p) {
      return r.nextBoolean() ? new Claim.Pos(p.np(), p.position().opposite()) : new Claim.Pos(swap(p.np(), r), p.position());
    }
    throw new IllegalArgumentException(c.toString());
  }

  private static Np swap(Np np, SplittableRandom r) {
    if (r.nextBoolean()) {
      return new Np(otherColor(np.color(), r), np.shape(), np.size());
    }
    Shape s;
    do {
      s = Shape.values()[r.nextInt(6)];
    } while (s == np.shape());
    return new Np(np.color(), s, np.size());
  }

  private static Color otherColor(Color c, SplittableRandom r) {
    Color o;
    do {
      o = Color.values()[r.nextInt(8)];
    } while (o == c);
    return o;
  }

  /** The claim as text in the style. */
  public static String text(Claim c, Style style, SplittableRandom r) {
    String[] t = templates(c, style);
    String s = t[r.nextInt(t.length)];
    if (c instanceof Claim.Exists e) {
      s = s.replace("{np}", e.np().withArticle()).replace("{bare}", e.np().bare());
    } else if (c instanceof Claim.Both b) {
      s = s.replace("{a}", b.a().withArticle()).replace("{b}", b.b().withArticle()).replace("{abare}", b.a().bare())
          .replace("{bbare}", b.b().bare());
    } else if (c instanceof Claim.Rel rel) {
      s = s.replace("{a}", rel.a().withArticle()).replace("{rel}", rel.relation().phrase).replace("{b}", rel.b().withArticle());
    } else if (c instanceof Claim.Count k) {
      s = s.replace("{n}", Vocabulary.number(k.n())).replace("{color}", k.color().word()).replace("{shapes}", k.shape().plural());
    } else if (c instanceof Claim.Total tot) {
      s = s.replace("{n}", Vocabulary.number(tot.n())).replace("{shapes}", tot.n() == 1 ? "shape" : "shapes")
          .replace("{objects}", tot.n() == 1 ? "object" : "objects");
    } else if (c instanceof Claim.Pos p) {
      s = s.replace("{np}", p.np().withArticle()).replace("{bare}", p.np().bare()).replace("{pos}", p.position().phrase);
    }
    return s;
  }

  private static String[] templates(Claim c, Style style) {
    boolean one = c instanceof Claim.Total t && t.n() == 1;
    switch (style) {
      case HUMAN:
        if (c instanceof Claim.Exists) {
          return new String[] {"{np}", "a picture of {np}", "{np} on a dark background", "there is {np}"};
        } else if (c instanceof Claim.Both) {
          return new String[] {"{a} and {b}", "a picture of {a} and {b}", "there is {a} and {b}"};
        } else if (c instanceof Claim.Rel) {
          return new String[] {"{a} {rel} {b}", "there is {a} {rel} {b}"};
        } else if (c instanceof Claim.Count) {
          return new String[] {"{n} {color} {shapes}", "there are {n} {color} {shapes}"};
        } else if (c instanceof Claim.Total) {
          return one ? new String[] {"there is {n} {shapes}", "{n} {shapes} on a dark background"}
              : new String[] {"there are {n} {shapes}", "{n} {shapes} on a dark background"};
        } else {
          return new String[] {"there is {np} {pos}", "{np} {pos}"};
        }
      case HELD_OUT:
        if (c instanceof Claim.Exists) {
          return new String[] {"an image showing {np}", "a rendering of {np}"};
        } else if (c instanceof Claim.Both) {
          return new String[] {"{a} together with {b}", "a scene with {a} as well as {b}"};
        } else if (c instanceof Claim.Rel) {
          return new String[] {"{a} is placed {rel} {b}", "one can see {a} {rel} {b}"};
        } else if (c instanceof Claim.Count) {
          return new String[] {"exactly {n} {color} {shapes} are visible"};
        } else if (c instanceof Claim.Total) {
          return new String[] {"a scene containing {n} {objects}"};
        } else {
          return new String[] {"{np} located {pos}", "an image with {np} {pos}"};
        }
      default:
        if (c instanceof Claim.Exists) {
          return new String[] {"my {bare} drawing", "{bare} clipart #art", "{np} - stock vector", "free {bare} icon png"};
        } else if (c instanceof Claim.Both) {
          return new String[] {"{abare} and {bbare} clipart", "my drawing: {a} and {b}"};
        } else if (c instanceof Claim.Rel) {
          return new String[] {"{a} {rel} {b} lol", "photo: {a} {rel} {b}"};
        } else if (c instanceof Claim.Count) {
          return new String[] {"{n} {color} {shapes} #art", "look, {n} {color} {shapes}!"};
        } else if (c instanceof Claim.Total) {
          return new String[] {"{n} {objects} on my desktop wallpaper"};
        } else {
          return new String[] {"{bare} {pos} wallpaper", "photo of {np} {pos}"};
        }
    }
  }
}
