package org.blip4j.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.blip4j.Blip4j;
import org.blip4j.checkpoint.CheckpointException;
import org.blip4j.checkpoint.ModelDirectory;
import org.blip4j.checkpoint.OriginalCheckpoint;
import org.blip4j.checkpoint.TaskModels;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.ImagePreprocessor;
import org.blip4j.image.RgbImage;
import org.blip4j.model.BlipCaptioningModel;
import org.blip4j.model.BlipPretrainModel;
import org.blip4j.model.BlipPretrainedModel;
import org.blip4j.model.BlipRetrievalModel;
import org.blip4j.text.BertTokenizer;

/**
 * What every task holds: a loaded model, its tokenizer (the directory's {@code vocab.txt} wins over
 * the bundled bert-base-uncased vocabulary) and image preprocessing (the directory's
 * {@code preprocessor_config.json}, else BLIP's eval transform at the model's image size).
 * Every call runs in its own {@link NDManager} scope, so native memory stays flat across calls;
 * parameters are read-only during inference, so concurrent callers are safe.
 */
abstract class BlipTask<M extends BlipPretrainedModel> implements AutoCloseable {
  protected final NDManager root;
  protected final M model;
  protected final BertTokenizer tokenizer;
  protected final ImagePreprocessor preprocessor;
  protected final ImageDecoder decoder = new ImageDecoder();

  protected BlipTask(NDManager root, M model, BertTokenizer tokenizer, ImagePreprocessor preprocessor) {
    this.root = root;
    this.model = model;
    this.tokenizer = tokenizer;
    this.preprocessor = preprocessor;
    int size = model.config().vision().imageSize();
    if (preprocessor.size() != size) {
      throw new CheckpointException("image preprocessing resizes to " + preprocessor.size() + " but the model's ViT expects " + size);
    }
  }

  /**
   * Loads model, tokenizer and preprocessing from an HF directory or an original {@code .pth}
   * (tokenizer and preprocessor files are looked up beside it), checking the model class.
   */
  static <M extends BlipPretrainedModel> Loaded<M> loadDirectory(Path dir, Class<M> type, String task) throws IOException {
    return loadDirectory(dir, null, type, task);
  }

  /** As above; {@code medConfig} is the original code's BERT config when a {@code .pth} has none beside it. */
  static <M extends BlipPretrainedModel> Loaded<M> loadDirectory(Path dir, Path medConfig, Class<M> type, String task) throws IOException {
    Blip4j.inferenceThread();
    NDManager root = NDManager.newBaseManager();
    try {
      OriginalCheckpoint.Options options = new OriginalCheckpoint.Options(null, null, architectureOf(type));
      BlipPretrainedModel model = ModelDirectory.load(dir, medConfig, root, options);
      if (model instanceof BlipPretrainModel pre && (type == BlipCaptioningModel.class || type == BlipRetrievalModel.class)) {
        // a pre-training checkpoint in HF layout serves as the task's model, as the original strict=False loading does
        model = type == BlipCaptioningModel.class ? TaskModels.captioning(pre, root) : TaskModels.retrieval(pre, root);
        pre.close();
      }
      if (!type.isInstance(model)) {
        String arch = model.architecture();
        model.close();
        throw new CheckpointException(dir + " holds a " + arch + " model; " + task + " needs " + architectureOf(type));
      }
      Path modelDir = Files.isDirectory(dir) ? dir : dir.toAbsolutePath().getParent();
      BertTokenizer tok = BertTokenizer.forModelDirectory(modelDir);
      Path pre = modelDir.resolve("preprocessor_config.json");
      ImagePreprocessor prep = Files.isRegularFile(pre)
          ? ImagePreprocessor.fromConfig(pre)
          : new ImagePreprocessor(model.config().vision().imageSize());
      return new Loaded<>(root, type.cast(model), tok, prep);
    } catch (IOException | RuntimeException e) {
      root.close();
      throw e;
    }
  }

  private static String architectureOf(Class<?> type) {
    try {
      return (String) type.getField("ARCHITECTURE").get(null);
    } catch (ReflectiveOperationException e) {
      return type.getSimpleName();
    }
  }

  /** What {@link #loadDirectory} returns. */
  record Loaded<M extends BlipPretrainedModel>(NDManager root, M model, BertTokenizer tokenizer, ImagePreprocessor preprocessor) {}

  /** The model. */
  public M model() {
    return model;
  }

  /** The tokenizer. */
  public BertTokenizer tokenizer() {
    return tokenizer;
  }

  /** The image preprocessing. */
  public ImagePreprocessor preprocessor() {
    return preprocessor;
  }

  /** Decodes every input; a bad image fails with an {@link org.blip4j.image.ImageDecodeException} naming it. */
  protected List<RgbImage> decodeAll(List<ImageInput> images) {
    return images.stream().map(i -> i.decode(decoder)).toList();
  }

  /** Normalised pixel values [B, 3, S, S] in {@code m}. */
  protected NDArray pixels(NDManager m, List<RgbImage> images) {
    int s = preprocessor.size();
    int per = 3 * s * s;
    float[] all = new float[images.size() * per];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(preprocessor.pixelValues(images.get(i)), 0, all, i * per, per);
    }
    return m.create(all, new Shape(images.size(), 3, s, s));
  }

  /** A per-call scope: a fresh sub-manager of the task's root, after preparing the thread. */
  protected NDManager callScope() {
    Blip4j.inferenceThread();
    return root.newSubManager();
  }

  @Override
  public void close() {
    model.close();
    root.close();
  }
}
