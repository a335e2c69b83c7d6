package org.blip4j.data.shapes;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The 100 candidate answers of a dialog round (VisDial layout): the answer plus 99 phrasings of other answers. */
public final class DialogAnswers {
  private DialogAnswers() {}

  /** Candidates per round. */
  public static final int CANDIDATES = 100;

  private static final String[] FORMS = {"%s", "it is %s", "i think %s", "%s i believe", "looks like %s"};

  /**
   * 100 distinct candidates containing {@code answer} once; the others are phrasings of different
   * answers (never a paraphrase of the right one), in a seeded order.
   */
  public static List<String> candidates(String answer, SplittableRandom r) {
    List<String> pool = new ArrayList<>();
    for (String a : ShapesGenerator.answerList()) {
      if (!a.equals(answer)) {
        for (String f : FORMS) {
          pool.add(String.format(f, a));
        }
      }
    }
    for (int i = pool.size() - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      String t = pool.get(i);
      pool.set(i, pool.get(j));
      pool.set(j, t);
    }
    List<String> out = new ArrayList<>(pool.subList(0, CANDIDATES - 1));
    out.add(r.nextInt(CANDIDATES), answer);
    return out;
  }
}
