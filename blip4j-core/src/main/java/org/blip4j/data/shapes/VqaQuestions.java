package org.blip4j.data.shapes;

import java.util.List;
import java.util.SplittableRandom;
import org.blip4j.data.shapes.Vocabulary.Color;
import org.blip4j.data.shapes.Vocabulary.Relation;
import org.blip4j.data.shapes.Vocabulary.Shape;

/** VQA questions with closed answers (see {@link ShapesGenerator#answerList()}). */
public final class VqaQuestions {
  private VqaQuestions() {}

  /** Question types. */
  public static final List<String> TYPES = List.of("color", "shape", "count", "existence", "relation");

  /** {question, answer, type}, or {@code null} when the drawn type does not apply to the scene. */
  public static String[] ask(Scene scene, SplittableRandom r) {
    List<SceneObject> objs = scene.objects();
    SceneObject a = objs.get(r.nextInt(objs.size()));
    switch (r.nextInt(5)) {
      case 0: {
        long same = objs.stream().filter(o -> o.shape() == a.shape()).count();
        return same == 1 ? new String[] {"what color is the " + a.shape().word() + "?", a.color().word(), "color"} : null;
      }
      case 1: {
        long same = objs.stream().filter(o -> o.color() == a.color()).count();
        return same == 1 ? new String[] {"what shape is the " + a.color().word() + " object?", a.shape().word(), "shape"} : null;
      }
      case 2: {
        switch (r.nextInt(3)) {
          case 0:
            return new String[] {"how many shapes are there?", Vocabulary.number(objs.size()), "count"};
          case 1: {
            Shape s = Shape.values()[r.nextInt(6)];
            long n = objs.stream().filter(o -> o.shape() == s).count();
            return new String[] {"how many " + s.plural() + " are there?", Vocabulary.number((int) n), "count"};
          }
          default: {
            Color c = Color.values()[r.nextInt(8)];
            long n = objs.stream().filter(o -> o.color() == c).count();
            return new String[] {"how many " + c.word() + " objects are there?", Vocabulary.number((int) n), "count"};
          }
        }
      }
      case 3: {
        Color c;
        Shape s;
        if (r.nextBoolean()) {
          c = a.color();
          s = a.shape();
        } else {
          c = Color.values()[r.nextInt(8)];
          s = Shape.values()[r.nextInt(6)];
        }
        String answer = scene.count(c, s) > 0 ? "yes" : "no";
        return new String[] {"is there " + new Claim.Np(c, s, null).withArticle() + "?", answer, "existence"};
      }
      default: {
        if (objs.size() < 2) {
          return null;
        }
        SceneObject b = objs.get(r.nextInt(objs.size()));
        if (b == a || scene.count(a.color(), a.shape()) != 1 || scene.count(b.color(), b.shape()) != 1) {
          return null;
        }
        Relation rel = Relation.values()[r.nextInt(4)];
        String answer;
        if (scene.related(a, rel, b)) {
          answer = "yes";
        } else if (scene.related(a, rel.opposite(), b)) {
          answer = "no";
        } else {
          return null;
        }
        String q = "is the " + a.color().word() + " " + a.shape().word() + " " + rel.phrase + " the " + b.color().word() + " "
            + b.shape().word() + "?";
        return new String[] {q, answer, "relation"};
      }
    }
  }
}
