package org.blip4j.data.shapes;

import java.util.SplittableRandom;
import org.blip4j.data.shapes.Claim.Np;

/** NLVR statements about an image pair (left, right) with a requested truth value. */
public final class NlvrStatements {
  private NlvrStatements() {}

  /** A statement about (left, right) whose truth is {@code label}. */
  public static String statement(Scene left, Scene right, boolean label, SplittableRandom r) {
    for (int tries = 0; tries < 10_000; tries++) {
      Np np = ShapesGenerator.randomNp(r, left, right);
      boolean inL = left.holds(new Claim.Exists(np));
      boolean inR = right.holds(new Claim.Exists(np));
      String text;
      boolean truth;
      switch (r.nextInt(6)) {
        case 0:
          text = "both images contain " + np.withArticle();
          truth = inL && inR;
          break;
        case 1:
          text = "the left image contains " + np.withArticle();
          truth = inL;
          break;
        case 2:
          text = "the right image contains " + np.withArticle();
          truth = inR;
          break;
        case 3:
          text = "exactly one image contains " + np.withArticle();
          truth = inL != inR;
          break;
        case 4: {
          int n = 2 + r.nextInt(7);
          text = "there are " + Vocabulary.number(n) + " shapes in total";
          truth = left.objects().size() + right.objects().size() == n;
          break;
        }
        default:
          text = "the left image has more shapes than the right image";
          truth = left.objects().size() > right.objects().size();
          break;
      }
      if (truth == label) {
        return text;
      }
    }
    throw new IllegalStateException("no NLVR statement with label " + label);
  }
}
