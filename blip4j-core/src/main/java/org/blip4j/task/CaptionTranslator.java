package org.blip4j.task;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import ai.djl.util.PairList;
import java.awt.image.BufferedImage;
import org.blip4j.generate.GenerationResult;
import org.blip4j.image.ImageDecoder;

/**
 * DJL integration for captioning: a {@link NoBatchifyTranslator} from a DJL {@link Image} to the
 * caption string, over a {@link Block} that runs vision + decoding. Use
 * {@link #newPredictor(Captioner, Captioner.Options)} to get a standard DJL {@link Predictor}.
 */
public final class CaptionTranslator implements NoBatchifyTranslator<Image, String> {
  private final Captioner captioner;
  private final Captioner.Options options;
  private final ImageDecoder decoder = new ImageDecoder();

  /** A translator for {@code captioner} with {@code options}. */
  public CaptionTranslator(Captioner captioner, Captioner.Options options) {
    this.captioner = captioner;
    this.options = options;
  }

  /** A DJL predictor (Model + {@link Block} + this translator) over an already loaded captioner. */
  public static Predictor<Image, String> newPredictor(Captioner captioner, Captioner.Options options) {
    Model model = Model.newInstance("blip-caption", "PyTorch");
    model.setBlock(new Block(captioner, options));
    return model.newPredictor(new CaptionTranslator(captioner, options));
  }

  @Override
  public NDList processInput(TranslatorContext ctx, Image input) {
    Object wrapped = input.getWrappedImage();
    if (!(wrapped instanceof BufferedImage bi)) {
      throw new IllegalArgumentException("expected a BufferedImage-backed DJL Image, got " + wrapped.getClass().getName());
    }
    float[] px = captioner.preprocessor().pixelValues(decoder.convert(bi, "djl-image"));
    int s = captioner.preprocessor().size();
    return new NDList(ctx.getNDManager().create(px, new Shape(1, 3, s, s)));
  }

  @Override
  public String processOutput(TranslatorContext ctx, NDList list) {
    return list.singletonOrThrow().getName();
  }

  /** The network as a DJL block: pixel values [1, 3, S, S] → generated ids [1, L], named by the caption text. */
  static final class Block extends AbstractBlock {
    private final Captioner captioner;
    private final Captioner.Options options;

    Block(Captioner captioner, Captioner.Options options) {
      this.captioner = captioner;
      this.options = options;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray pixels = inputs.singletonOrThrow();
      NDManager m = pixels.getManager();
      long[] prompt = captioner.promptIds(options.prompt());
      GenerationResult res = captioner.generate(m, pixels, prompt, options.generation());
      long[] ids = res.sequences()[0];
      NDArray out = m.create(ids, new Shape(1, ids.length));
      out.setName(captioner.captionText(ids, prompt));
      return new NDList(out);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return new Shape[] {new Shape(1, -1)};
    }
  }
}
