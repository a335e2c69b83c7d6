package org.blip4j.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.blip4j.checkpoint.SafeTensors;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImagePreprocessorTest {

  private static RgbImage resizedFixture(SafeTensors t, int index, int size) {
    return new RgbImage(size, size, t.bytes("img" + index + ".resized" + size + "_uint8"));
  }

  /** Largest |a - b|; also fails on length mismatch. */
  private static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }

  private static int bitwiseMismatches(float[] a, float[] b) {
    int n = 0;
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
        n++;
      }
    }
    return n;
  }

  /** Rescale + normalise alone (the input is already S x S, so no resampling happens). */
  @ParameterizedTest(name = "img{0} at {1}")
  @CsvSource({"0,384", "1,384", "2,384", "3,384", "4,384", "5,384", "0,64", "1,64", "2,64", "3,64", "4,64", "5,64"})
  void normalisationIsBitwiseEqualToHf(int index, int size) {
    SafeTensors t = Fixtures.tensors("preprocess/io.safetensors");
    float[] expected = t.floats("img" + index + ".pixel_values" + size);

    float[] actual = new ImagePreprocessor(size).pixelValues(resizedFixture(t, index, size));

    assertThat(maxAbsDiff(actual, expected)).isLessThanOrEqualTo(1e-6);
    assertThat(bitwiseMismatches(actual, expected)).as("values not bitwise equal").isZero();
  }

  /** File -> decode -> PIL-exact resize -> normalise, for the losslessly stored images. */
  @ParameterizedTest(name = "{1} at {2}")
  @CsvSource({"0,astronaut.png,384", "1,chelsea.png,384", "3,chelsea_gray.png,384",
      "4,astronaut_rgba_portrait.png,384", "5,coffee_tiny_20x10.png,384", "0,astronaut.png,64",
      "1,chelsea.png,64", "3,chelsea_gray.png,64", "4,astronaut_rgba_portrait.png,64", "5,coffee_tiny_20x10.png,64"})
  void endToEndFromPngFileMatchesHf(int index, String file, int size) {
    SafeTensors t = Fixtures.tensors("preprocess/io.safetensors");
    float[] expected = t.floats("img" + index + ".pixel_values" + size);

    RgbImage img = new ImageDecoder().decode(Fixtures.fixture("preprocess/images/" + file));
    float[] actual = new ImagePreprocessor(size).pixelValues(img);

    assertThat(maxAbsDiff(actual, expected)).isLessThanOrEqualTo(1e-6);
    assertThat(bitwiseMismatches(actual, expected)).isZero();
  }

  @ParameterizedTest(name = "preprocessor_{0}")
  @CsvSource({"384", "64"})
  void hfPreprocessorConfigIsRead(int size) throws IOException {
    ImagePreprocessor p = ImagePreprocessor.fromConfig(
        Fixtures.fixture("preprocess/preprocessor_" + size + "/preprocessor_config.json"));
    assertThat(p.size()).isEqualTo(size);
    assertThat(p.filter()).isEqualTo(PilResize.Filter.BICUBIC);

    SafeTensors t = Fixtures.tensors("preprocess/io.safetensors");
    RgbImage rgb = PilResizeTest.fixtureRgb(t, 1);
    assertThat(bitwiseMismatches(p.pixelValues(rgb), t.floats("img1.pixel_values" + size))).isZero();
  }

  @Test
  void layoutIsChwAndRescaleNormaliseCanBeSwitchedOff() {
    // 2x1 image: pixel 0 = (1, 2, 3), pixel 1 = (4, 5, 6). CHW = R plane, G plane, B plane.
    RgbImage img = new RgbImage(2, 1, new byte[] {1, 2, 3, 4, 5, 6});
    double[] zero = {0, 0, 0};
    double[] one = {1, 1, 1};
    ImagePreprocessor raw = new ImagePreprocessor(1, 2, PilResize.Filter.BICUBIC, true, false, 0.5, false, zero, one);
    assertThat(raw.pixelValues(img)).containsExactly(1f, 4f, 2f, 5f, 3f, 6f);

    ImagePreprocessor halves = new ImagePreprocessor(1, 2, PilResize.Filter.BICUBIC, false, true, 0.5, true,
        new double[] {1, 0, 0}, new double[] {1, 1, 2});
    // R: 0.5 * v - 1; G: 0.5 * v; B: 0.5 * v / 2
    assertThat(halves.pixelValues(img)).containsExactly(-0.5f, 1f, 1f, 2.5f, 0.75f, 1.5f);
  }

  @Test
  void noResizeKeepsTheImageSizeAndNonSquareSizesWork() {
    RgbImage img = new RgbImage(5, 3, new byte[45]);
    ImagePreprocessor keep = new ImagePreprocessor(384, 384, PilResize.Filter.BICUBIC, false, true,
        ImagePreprocessor.DEFAULT_RESCALE, true, ImagePreprocessor.CLIP_MEAN, ImagePreprocessor.CLIP_STD);
    assertThat(keep.pixelValues(img)).hasSize(3 * 5 * 3);

    ImagePreprocessor wide = new ImagePreprocessor(32, 48, PilResize.Filter.BILINEAR, true, true,
        ImagePreprocessor.DEFAULT_RESCALE, true, ImagePreprocessor.CLIP_MEAN, ImagePreprocessor.CLIP_STD);
    assertThat(wide.pixelValues(img)).hasSize(3 * 32 * 48);
    assertThatThrownBy(wide::size).isInstanceOf(IllegalStateException.class).hasMessageContaining("32x48");
  }

  @Test
  void ndArraysHaveChwAndBatchShapes() {
    SafeTensors t = Fixtures.tensors("preprocess/io.safetensors");
    RgbImage a = PilResizeTest.fixtureRgb(t, 5);
    RgbImage b = PilResizeTest.fixtureRgb(t, 1);
    ImagePreprocessor p = new ImagePreprocessor(64);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray one = p.toNDArray(m, a);
      assertThat(one.getShape()).isEqualTo(new Shape(3, 64, 64));
      assertThat(one.toFloatArray()).isEqualTo(t.floats("img5.pixel_values64"));

      NDArray batch = p.batch(m, List.of(a, b));
      assertThat(batch.getShape()).isEqualTo(new Shape(2, 3, 64, 64));
      float[] flat = batch.toFloatArray();
      float[] second = Arrays.copyOfRange(flat, 3 * 64 * 64, flat.length);
      assertThat(second).isEqualTo(t.floats("img1.pixel_values64"));
    }
  }

  @Test
  void badConfigsAreRefusedNamingFileAndKey(@TempDir Path dir) throws IOException {
    Path nearest = Files.writeString(dir.resolve("nearest.json"), "{\"resample\": 0, \"size\": {\"height\": 8, \"width\": 8}}");
    assertThatThrownBy(() -> ImagePreprocessor.fromConfig(nearest))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(nearest.toString())
        .hasMessageContaining("resample")
        .hasMessageContaining("BICUBIC");

    Path shortest = Files.writeString(dir.resolve("shortest.json"), "{\"size\": {\"shortest_edge\": 384}}");
    assertThatThrownBy(() -> ImagePreprocessor.fromConfig(shortest))
        .hasMessageContaining(shortest.toString())
        .hasMessageContaining("size");

    Path mean = Files.writeString(dir.resolve("mean.json"), "{\"image_mean\": [0.5, 0.5]}");
    assertThatThrownBy(() -> ImagePreprocessor.fromConfig(mean))
        .hasMessageContaining(mean.toString())
        .hasMessageContaining("image_mean");

    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"size\": ");
    assertThatThrownBy(() -> ImagePreprocessor.fromConfig(broken))
        .hasMessageContaining(broken.toString())
        .hasMessageContaining("JSON");

    Path bilinear = Files.writeString(dir.resolve("ok.json"), "{\"resample\": 2, \"size\": 224, \"do_normalize\": false}");
    ImagePreprocessor p = ImagePreprocessor.fromConfig(bilinear);
    assertThat(p.size()).isEqualTo(224);
    assertThat(p.filter()).isEqualTo(PilResize.Filter.BILINEAR);
  }
}
