package org.blip4j.data.shapes;

import org.blip4j.data.shapes.Vocabulary.Color;
import org.blip4j.data.shapes.Vocabulary.Position;
import org.blip4j.data.shapes.Vocabulary.Relation;
import org.blip4j.data.shapes.Vocabulary.Shape;
import org.blip4j.data.shapes.Vocabulary.Size;

/**
 * A statement about a scene, the structured form of a caption. Captions are rendered from claims
 * and claims are evaluated against the scene graph ({@link Scene#holds}), so a caption is true of
 * its image by construction; noisy web captions are claims checked to be false.
 */
public sealed interface Claim {

  /** A noun phrase: color and shape, optionally size ({@code null} = unspecified). */
  record Np(Color color, Shape shape, Size size) {
    /** Whether {@code o} fits this description. */
    public boolean matches(SceneObject o) {
      return o.color() == color && o.shape() == shape && (size == null || o.size() == size);
    }

    /** Without article: {@code small red circle}. */
    public String bare() {
      return (size != null ? size.word() + " " : "") + color.word() + " " + shape.word();
    }

    /** With article: {@code a small red circle}, {@code an orange star}. */
    public String withArticle() {
      String b = bare();
      return ("aeiou".indexOf(b.charAt(0)) >= 0 ? "an " : "a ") + b;
    }
  }

  /** There is an object matching {@code np}. */
  record Exists(Np np) implements Claim {}

  /** There are objects matching {@code a} and {@code b} (two different objects). */
  record Both(Np a, Np b) implements Claim {}

  /** Some object matching {@code a} stands in {@code relation} to another object matching {@code b}. */
  record Rel(Np a, Relation relation, Np b) implements Claim {}

  /** Exactly {@code n} objects are {@code color} {@code shape}. */
  record Count(int n, Color color, Shape shape) implements Claim {}

  /** Exactly {@code n} objects in the scene. */
  record Total(int n) implements Claim {}

  /** Some object matching {@code np} is at {@code position}. */
  record Pos(Np np, Position position) implements Claim {}
}
