package org.blip4j.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.blip4j.checkpoint.SafeTensors;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PilResizeTest {

  static RgbImage fixtureRgb(SafeTensors t, int index) {
    String name = "img" + index + ".rgb_uint8";
    long[] shape = t.entry(name).shape(); // [H, W, 3]
    return new RgbImage((int) shape[1], (int) shape[0], t.bytes(name));
  }

  /** Every fixture image (upscale, downscale, mixed, the 20x10 one) at both sizes, tolerance 0. */
  @ParameterizedTest(name = "img{0} -> {1}x{1}")
  @CsvSource({"0,384", "1,384", "2,384", "3,384", "4,384", "5,384", "0,64", "1,64", "2,64", "3,64", "4,64", "5,64"})
  void bicubicResizeEqualsPillowByteForByte(int index, int size) {
    SafeTensors t = Fixtures.tensors("preprocess/io.safetensors");
    byte[] expected = t.bytes("img" + index + ".resized" + size + "_uint8");

    RgbImage out = PilResize.resize(fixtureRgb(t, index), size, size);

    assertThat(out.width()).isEqualTo(size);
    assertThat(out.height()).isEqualTo(size);
    int mismatches = 0;
    int maxDiff = 0;
    for (int i = 0; i < expected.length; i++) {
      int d = Math.abs((expected[i] & 0xFF) - (out.rgb()[i] & 0xFF));
      if (d != 0) {
        mismatches++;
        maxDiff = Math.max(maxDiff, d);
      }
    }
    assertThat(mismatches).as("mismatching bytes (max abs diff %d) of %d", maxDiff, expected.length).isZero();
  }

  @Test
  void bilinearTwoPixelUpscaleMatchesHandComputedPillowValues() {
    // Source [0, 255] -> 4 px. Centers 0.25, 0.75, 1.25, 1.75. Pixel 0 sees only source 0 (rounded
    // window [0, 1)); pixel 1 weights 0.75/0.25 -> 255 * 0.25 = 63.75 -> 64 in 22-bit fixed point.
    RgbImage src = new RgbImage(2, 1, new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
    RgbImage out = PilResize.resize(src, 4, 1, PilResize.Filter.BILINEAR);
    assertThat(new int[] {out.get(0, 0, 0), out.get(1, 0, 1), out.get(2, 0, 2), out.get(3, 0, 0)})
        .containsExactly(0, 64, 191, 255);
  }

  @Test
  void bicubicOvershootIsClippedTo0And255() {
    // A hard edge 0 | 255 upscaled with the a = -0.5 cubic rings below 0 and above 255.
    byte[] px = new byte[8 * 3];
    for (int i = 4 * 3; i < px.length; i++) {
      px[i] = (byte) 255;
    }
    RgbImage out = PilResize.resize(new RgbImage(8, 1, px), 32, 1);
    // Hand-derived (Pillow samples the kernel at (src - center + 0.5)): output i has center (i + 0.5) / 4;
    // output 14: taps 2..5, weights -0.0479, 0.9639, 0.0908, -0.0068 -> 255 * 0.0840 = 21.4 -> 21.
    // output 15: 255 * (0.3896 - 0.0439) = 88.2 -> 88; 16: 166.8 -> 167; 17: 233.6 -> 234.
    // output 12 rings to -18.7 and 19 to 273.7: both clipped.
    assertThat(new int[] {out.get(14, 0, 0), out.get(15, 0, 1), out.get(16, 0, 2), out.get(17, 0, 0)})
        .containsExactly(21, 88, 167, 234);
    assertThat(out.get(12, 0, 0)).isZero();
    assertThat(out.get(19, 0, 0)).isEqualTo(255);
    assertThat(out.get(0, 0, 0)).isZero();
    assertThat(out.get(31, 0, 0)).isEqualTo(255);
  }

  @Test
  void sameSizeIsACopyAndOneDimensionalChangesLeaveTheOtherAxisUntouched() {
    SafeTensors t = Fixtures.tensors("preprocess/io.safetensors");
    RgbImage src = fixtureRgb(t, 5); // 20 x 10
    RgbImage same = PilResize.resize(src, 20, 10);
    assertThat(same).isEqualTo(src);
    assertThat(same.rgb()).isNotSameAs(src.rgb());

    // Width-only change: every column of a vertically constant image stays constant.
    byte[] stripes = new byte[20 * 10 * 3];
    for (int y = 0; y < 10; y++) {
      for (int x = 0; x < 20; x++) {
        for (int c = 0; c < 3; c++) {
          stripes[3 * (y * 20 + x) + c] = (byte) (x * 12);
        }
      }
    }
    RgbImage wide = PilResize.resize(new RgbImage(20, 10, stripes), 7, 10);
    for (int y = 1; y < 10; y++) {
      for (int x = 0; x < 7; x++) {
        assertThat(wide.get(x, y, 0)).isEqualTo(wide.get(x, 0, 0));
      }
    }
  }

  @Test
  void rejectsBadArguments() {
    RgbImage src = new RgbImage(2, 2, new byte[12]);
    assertThatThrownBy(() -> PilResize.resize(src, 0, 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PilResize.Filter.fromPillowCode(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1")
        .hasMessageContaining("BICUBIC");
    assertThat(PilResize.Filter.fromPillowCode(3)).isEqualTo(PilResize.Filter.BICUBIC);
    assertThat(PilResize.Filter.fromPillowCode(2)).isEqualTo(PilResize.Filter.BILINEAR);
  }
}
