package org.blip4j.data.shapes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.blip4j.data.shapes.ShapesGenerator.Kind;
import org.blip4j.data.shapes.ShapesGenerator.Split;

/**
 * A generated Shapes world on disk, read back through its {@code summary.json}: the scene graph of
 * any of its images is regenerated from the settings there (seed, scale, noise, image size) by the
 * generator's deterministic streams, so no side file of scenes is needed.
 *
 * <p>Image paths are those of the annotation JSON, relative to the image root ({@code
 * images/}): {@code <split>/<item>.png}, {@code <split>/<item>_<0|1>.png} for an NLVR pair, {@code
 * <split>/<item>/<frame>.png} for a video frame (item: 6 digits, frame: 2 digits). A leading
 * {@code images/} is accepted too.
 */
public final class ShapesWorld {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern IMAGE = Pattern.compile("([a-z_]+)/(\\d{6})(?:_(\\d)|/(\\d{2}))?\\.png");

  private final Path dir;
  private final ShapesConfig config;
  private final String imageRoot;
  private final ShapesGenerator generator;

  private ShapesWorld(Path dir, ShapesConfig config, String imageRoot) {
    this.dir = dir;
    this.config = config;
    this.imageRoot = imageRoot;
    this.generator = new ShapesGenerator(config);
  }

  /**
   * Opens the world written into {@code dir} by {@link ShapesGenerator#generate}.
   *
   * @throws NoSuchFileException when {@code dir/summary.json} is missing
   * @throws IllegalArgumentException when summary.json lacks a setting or holds a bad one (named)
   */
  public static ShapesWorld open(Path dir) throws IOException {
    Path summary = dir.resolve("summary.json");
    if (!Files.isRegularFile(summary)) {
      throw new NoSuchFileException(summary.toString(), null, "not a Shapes world: no summary.json (expected the output of blip shapes)");
    }
    JsonNode s = JSON.readTree(summary.toFile());
    for (String key : new String[] {"seed", "scale", "noise", "image_size"}) {
      if (s == null || !s.path(key).isNumber()) {
        throw new IllegalArgumentException(summary + ": key '" + key + "' missing or not a number");
      }
    }
    ShapesConfig config;
    try {
      config = new ShapesConfig(s.get("scale").asDouble(), s.get("noise").asDouble(), s.get("image_size").asInt(),
          s.get("seed").asLong(), 1);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(summary + ": " + e.getMessage(), e);
    }
    return new ShapesWorld(dir, config, s.path("image_root").asText("images"));
  }

  /** The world's directory. */
  public Path dir() {
    return dir;
  }

  /** The settings read from summary.json (threads = 1; the output does not depend on it). */
  public ShapesConfig config() {
    return config;
  }

  /** The image file of a relative image path (whether or not it exists). */
  public Path imageFile(String imagePath) {
    return dir.resolve(imageRoot).resolve(stripRoot(imagePath));
  }

  /**
   * The scene drawn in the image at {@code imagePath} (relative to the image root).
   *
   * @throws IllegalArgumentException naming the path when it is not an image of this world
   */
  public Scene sceneOf(String imagePath) {
    String rel = stripRoot(imagePath);
    Matcher m = IMAGE.matcher(rel);
    if (!m.matches()) {
      throw notOurs(imagePath, "expected <split>/<6-digit item>.png, <split>/<item>_<0|1>.png or <split>/<item>/<2-digit frame>.png");
    }
    int split = -1;
    for (int i = 0; i < ShapesGenerator.SPLITS.size(); i++) {
      if (ShapesGenerator.SPLITS.get(i).name().equals(m.group(1))) {
        split = i;
      }
    }
    if (split < 0) {
      throw notOurs(imagePath, "unknown split '" + m.group(1) + "'");
    }
    Split s = ShapesGenerator.SPLITS.get(split);
    int item = Integer.parseInt(m.group(2));
    if (item >= generator.items(s)) {
      throw notOurs(imagePath, "split " + s.name() + " has items 0.." + (generator.items(s) - 1) + " at scale " + config.scale());
    }
    String pair = m.group(3);
    String frame = m.group(4);
    if (s.kind() == Kind.NLVR) {
      if (pair == null || Integer.parseInt(pair) > 1) {
        throw notOurs(imagePath, "an NLVR image is <item>_0.png or <item>_1.png");
      }
      return generator.scene(split, item, Integer.parseInt(pair));
    }
    if (s.kind() == Kind.VIDEO) {
      int frames = generator.images(split, item);
      if (frame == null || Integer.parseInt(frame) >= frames) {
        throw notOurs(imagePath, "clip " + item + " of " + s.name() + " has frames 00.." + String.format(Locale.ROOT, "%02d", frames - 1));
      }
      return generator.clip(split, item).frames().get(Integer.parseInt(frame));
    }
    if (pair != null || frame != null) {
      throw notOurs(imagePath, "images of " + s.name() + " are <6-digit item>.png");
    }
    return generator.scene(split, item, 0);
  }

  private String stripRoot(String imagePath) {
    String p = imagePath.replace('\\', '/');
    return p.startsWith(imageRoot + "/") ? p.substring(imageRoot.length() + 1) : p;
  }

  private IllegalArgumentException notOurs(String imagePath, String why) {
    return new IllegalArgumentException("'" + imagePath + "' is not an image of the Shapes world in " + dir + ": " + why);
  }
}
