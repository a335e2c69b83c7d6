package org.blip4j.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.blip4j.data.BadSampleListener;
import org.blip4j.data.ImageRef;
import org.blip4j.data.ReadOptions;
import org.blip4j.data.Sample;
import org.blip4j.data.SampleIterator;
import org.blip4j.data.SampleReaders;
import org.blip4j.data.Samples;
import org.blip4j.image.ImageDecodeException;
import org.blip4j.image.ImageDecoder;
import org.blip4j.image.RgbImage;

/** Reading an evaluation split and decoding its images, bad samples reported and skipped. */
final class EvalSamples {
  /** The annotation kinds the evaluations read. */
  enum Kind {
    /** {@code {"image", "caption": [...]}} (retrieval and captioning test records). */
    CAPTION("caption/retrieval test records {\"image\", \"caption\": [...]}"),
    /** {@code {"question_id", "image", "question", "answer": [...]}}. */
    VQA("VQA records {\"question_id\", \"image\", \"question\", \"answer\": [...]}"),
    /** {@code {"images": [a, b], "sentence", "label"}}. */
    NLVR("NLVR records {\"images\": [a, b], \"sentence\", \"label\"}");

    final String description;

    Kind(String description) {
      this.description = description;
    }

    static Kind of(Sample s) {
      return s.meta().containsKey("images") ? NLVR : s.meta().containsKey("question") ? VQA : CAPTION;
    }
  }

  private EvalSamples() {}

  /**
   * Reads every good sample of {@code annotations} (images under {@code imageRoot}; missing or empty
   * image files and malformed records are reported to {@code listener} and skipped).
   *
   * @throws EvalInputException naming the file when it is missing or holds records of another kind
   */
  static List<Sample> read(Path annotations, Path imageRoot, Kind kind, BadSampleListener listener) throws IOException {
    if (!Files.isRegularFile(annotations)) {
      throw new EvalInputException(annotations + ": annotation file not found");
    }
    if (!Files.isDirectory(imageRoot)) {
      throw new EvalInputException(imageRoot + ": image root is not a directory");
    }
    List<Sample> out = new ArrayList<>();
    try (SampleIterator it = SampleReaders.open(annotations, ReadOptions.of(imageRoot, listener))) {
      while (it.hasNext()) {
        Sample s = it.next();
        if (Kind.of(s) != kind) {
          throw new EvalInputException(annotations + ": expected " + kind.description + ", found " + Kind.of(s).description
              + " (record " + s.key() + ")");
        }
        out.add(s);
      }
    } catch (IllegalArgumentException e) {
      throw new EvalInputException(annotations + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** Decodes one image; on failure reports the sample as bad and returns null. */
  static RgbImage decode(ImageRef ref, ImageDecoder decoder, String key, BadSampleListener listener) {
    try {
      return ref.decode(decoder);
    } catch (ImageDecodeException e) {
      listener.onBadSample(key, Samples.classify(e), e.getMessage());
      return null;
    } catch (UncheckedIOException e) {
      listener.onBadSample(key, org.blip4j.data.BadReason.MISSING_IMAGE, e.getMessage());
      return null;
    }
  }
}
