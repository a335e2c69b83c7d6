package org.blip4j.data.shapes;

import java.util.List;
import java.util.Locale;

/** The fixed vocabulary of the Shapes world ({@code shared/SHAPES.md}). */
public final class Vocabulary {
  private Vocabulary() {}

  /** The six shapes. */
  public enum Shape {
    CIRCLE, SQUARE, TRIANGLE, DIAMOND, STAR, CROSS;

    /** Singular word, e.g. {@code circle}. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Plural word, e.g. {@code crosses}. */
    public String plural() {
      return this == CROSS ? "crosses" : word() + "s";
    }
  }

  /** The eight colors with their nominal RGB. */
  public enum Color {
    RED(0xE02828), GREEN(0x2EC03A), BLUE(0x2F5BFF), YELLOW(0xF2E02A), PURPLE(0x9A32D8), ORANGE(0xFF8A1C), CYAN(0x2AE0E8),
    WHITE(0xF4F4F4);

    /** Nominal 0xRRGGBB. */
    public final int rgb;

    Color(int rgb) {
      this.rgb = rgb;
    }

    /** The word, e.g. {@code red}. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The two sizes. */
  public enum Size {
    SMALL, LARGE;

    /** The word. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Pairwise relations "A &lt;relation&gt; B" (image y grows downwards). */
  public enum Relation {
    LEFT_OF("to the left of"), RIGHT_OF("to the right of"), ABOVE("above"), BELOW("below");

    /** The phrase. */
    public final String phrase;

    Relation(String phrase) {
      this.phrase = phrase;
    }

    /** The converse relation (A left of B ⇔ B right of A). */
    public Relation opposite() {
      return switch (this) {
        case LEFT_OF -> RIGHT_OF;
        case RIGHT_OF -> LEFT_OF;
        case ABOVE -> BELOW;
        case BELOW -> ABOVE;
      };
    }
  }

  /** Absolute positions in the canvas. */
  public enum Position {
    LEFT("on the left"), RIGHT("on the right"), TOP("at the top"), BOTTOM("at the bottom");

    /** The phrase. */
    public final String phrase;

    Position(String phrase) {
      this.phrase = phrase;
    }

    /** The opposite side. */
    public Position opposite() {
      return switch (this) {
        case LEFT -> RIGHT;
        case RIGHT -> LEFT;
        case TOP -> BOTTOM;
        case BOTTOM -> TOP;
      };
    }
  }

  /** Number words, index = value (0 … 8). */
  public static final List<String> NUMBERS = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight");

  /** The word for {@code n} (0 … 8). */
  public static String number(int n) {
    return NUMBERS.get(n);
  }
}
