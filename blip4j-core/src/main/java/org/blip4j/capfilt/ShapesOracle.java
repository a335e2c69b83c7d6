package org.blip4j.capfilt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.blip4j.data.shapes.CaptionJudge;
import org.blip4j.data.shapes.Scene;
import org.blip4j.data.shapes.ShapesWorld;

/**
 * The ground truth of a generated Shapes world as a {@link CaptionOracle}: an image's scene is
 * regenerated from its path and the caption is parsed and judged by {@link CaptionJudge}. A caption
 * is correct when every claim it makes holds; an unparseable caption (garbled or off-topic text)
 * counts as incorrect, since it does not describe the image. Images outside the world are not judged.
 */
public final class ShapesOracle implements CaptionOracle {
  private final ShapesWorld world;

  public ShapesOracle(ShapesWorld world) {
    this.world = world;
  }

  /** The oracle of the Shapes world a dataset file belongs to ({@code summary.json} beside it), if any. */
  public static Optional<ShapesOracle> beside(Path dataFile) throws IOException {
    Path dir = dataFile.toAbsolutePath().getParent();
    if (dir == null || !Files.isRegularFile(dir.resolve("summary.json"))) {
      return Optional.empty();
    }
    return Optional.of(new ShapesOracle(ShapesWorld.open(dir)));
  }

  @Override
  public Optional<Boolean> isCorrect(String imagePath, String caption) {
    Scene scene;
    try {
      scene = world.sceneOf(imagePath);
    } catch (IllegalArgumentException notAShapesImage) {
      return Optional.empty();
    }
    return Optional.of(CaptionJudge.judge(caption, scene).verdict() == CaptionJudge.Verdict.TRUE);
  }
}
