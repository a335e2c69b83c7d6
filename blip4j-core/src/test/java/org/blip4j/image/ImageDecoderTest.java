package org.blip4j.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.blip4j.checkpoint.SafeTensors;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageDecoderTest {
  private final ImageDecoder decoder = new ImageDecoder();

  // ---------------------------------------------------------------- direct buffer reads

  /**
   * The fast path over the data buffer gives the same bytes as the sample-by-sample path for every
   * 8-bit RGB(A) layout Java2D and the image readers produce, and declines the others.
   */
  @ParameterizedTest
  @CsvSource({"1", "2", "4", "5", "6", "7"}) // INT_RGB, INT_ARGB, INT_BGR, 3BYTE_BGR, 4BYTE_ABGR, 4BYTE_ABGR_PRE
  void directReadMatchesTheSampleBySamplePath(int type) throws IOException {
    BufferedImage img = new BufferedImage(13, 7, type);
    Random random = new Random(type);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        img.setRGB(x, y, random.nextInt());
      }
    }
    RgbImage general = ImageDecoder.samplesToRgb(img, "t", "BufferedImage", false);
    RgbImage direct = ImageDecoder.direct8BitRgb(img);
    if (type == BufferedImage.TYPE_4BYTE_ABGR_PRE) {
      assertThat(direct).as("premultiplied alpha takes the general path").isNull();
    } else {
      assertThat(direct).isNotNull();
      assertThat(direct.rgb()).isEqualTo(general.rgb());
    }
    assertThat(ImageDecoder.direct8BitRgb(img.getSubimage(2, 1, 5, 4))).as("a sub-image's raster is offset").isNull();
    // as the PNG reader decodes it: byte-interleaved in R, G, B order (TYPE_CUSTOM)
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    BufferedImage opaque = new BufferedImage(13, 7, BufferedImage.TYPE_INT_RGB);
    opaque.getGraphics().drawImage(img, 0, 0, null);
    ImageIO.write(opaque, "png", png);
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png.toByteArray()));
    assertThat(ImageDecoder.direct8BitRgb(decoded).rgb()).isEqualTo(ImageDecoder.samplesToRgb(decoded, "t", "PNG", false).rgb());
  }

  // ---------------------------------------------------------------- fixture parity

  @ParameterizedTest(name = "img{0} {1}")
  @CsvSource({"0,astronaut.png", "1,chelsea.png", "3,chelsea_gray.png", "4,astronaut_rgba_portrait.png",
      "5,coffee_tiny_20x10.png"})
  void pngDecodesExactlyAsPillowConvertRgb(int index, String file) {
    SafeTensors t = Fixtures.tensors("preprocess/io.safetensors");
    RgbImage expected = PilResizeTest.fixtureRgb(t, index);

    RgbImage img = decoder.decode(Fixtures.fixture("preprocess/images/" + file));

    assertThat(img.width()).isEqualTo(expected.width());
    assertThat(img.height()).isEqualTo(expected.height());
    assertThat(countDiffs(img.rgb(), expected.rgb())).as("mismatching bytes").isZero();
  }

  /**
   * rocket.jpg carries an Adobe RGB ICC profile and is YCbCr 4:2:0. Measured here: max abs diff 0,
   * mean 0 against Pillow 9.4 / libjpeg-turbo (JDK libjpeg 6b islow IDCT + fancy upsampling and
   * TwelveMonkeys' fixed-point YCbCr conversion agree with libjpeg-turbo for this file). The bound
   * allows other JPEG decoders' usual +-1..2 rounding differences but catches any colour management
   * (an Adobe RGB -> sRGB conversion changes values by tens).
   */
  @Test
  void jpegDecodesWithinAFewLevelsOfPillow() {
    SafeTensors t = Fixtures.tensors("preprocess/io.safetensors");
    RgbImage expected = PilResizeTest.fixtureRgb(t, 2);

    RgbImage img = decoder.decode(Fixtures.fixture("preprocess/images/rocket.jpg"));

    assertThat(img.width()).isEqualTo(640);
    assertThat(img.height()).isEqualTo(427);
    int max = 0;
    long sum = 0;
    for (int i = 0; i < expected.rgb().length; i++) {
      int d = Math.abs((img.rgb()[i] & 0xFF) - (expected.rgb()[i] & 0xFF));
      max = Math.max(max, d);
      sum += d;
    }
    double mean = (double) sum / expected.rgb().length;
    System.out.printf("rocket.jpg vs Pillow: max abs diff %d, mean abs diff %.5f, differing bytes %d of %d%n",
        max, mean, countDiffs(img.rgb(), expected.rgb()), expected.rgb().length);
    assertThat(max).isLessThanOrEqualTo(2);
    assertThat(mean).isLessThanOrEqualTo(0.05);
  }

  @Test
  void pathBytesAndStreamInputsAgree() throws IOException {
    Path file = Fixtures.fixture("preprocess/images/coffee_tiny_20x10.png");
    RgbImage fromPath = decoder.decode(file);
    byte[] data = Files.readAllBytes(file);
    assertThat(decoder.decode(data, "bytes")).isEqualTo(fromPath);
    assertThat(decoder.decode(new ByteArrayInputStream(data), "stream")).isEqualTo(fromPath);
  }

  // ---------------------------------------------------------------- error paths

  @Test
  void emptyFileIsRefusedNamingTheFile(@TempDir Path dir) throws IOException {
    Path f = Files.write(dir.resolve("empty.png"), new byte[0]);
    assertThatThrownBy(() -> decoder.decode(f))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("empty");
  }

  @Test
  void truncatedPngIsRefused(@TempDir Path dir) throws IOException {
    byte[] png = Files.readAllBytes(Fixtures.fixture("preprocess/images/chelsea.png"));
    Path f = Files.write(dir.resolve("half.png"), Arrays.copyOf(png, png.length / 2));
    assertThatThrownBy(() -> decoder.decode(f))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("truncated");
  }

  @Test
  void truncatedJpegIsRefusedButAMissingEndMarkerAloneIsAccepted(@TempDir Path dir) throws IOException {
    byte[] jpg = Files.readAllBytes(Fixtures.fixture("preprocess/images/rocket.jpg"));
    Path half = Files.write(dir.resolve("half.jpg"), Arrays.copyOf(jpg, jpg.length / 2));
    assertThatThrownBy(() -> decoder.decode(half))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining(half.toString())
        .hasMessageContaining("truncated");
    Path nearlyAll = Files.write(dir.resolve("minus100.jpg"), Arrays.copyOf(jpg, jpg.length - 100));
    assertThatThrownBy(() -> decoder.decode(nearlyAll)).hasMessageContaining("truncated");

    // Pillow decodes a JPEG whose only defect is the missing EOI marker (FFD9); so do we, identically.
    assertThat(jpg[jpg.length - 2] & 0xFF).isEqualTo(0xFF);
    assertThat(jpg[jpg.length - 1] & 0xFF).isEqualTo(0xD9);
    RgbImage noEoi = decoder.decode(Arrays.copyOf(jpg, jpg.length - 2), "no-eoi");
    assertThat(noEoi).isEqualTo(decoder.decode(jpg, "full"));
  }

  @Test
  void textFileNamedJpgIsRefusedAsUnknownFormat(@TempDir Path dir) throws IOException {
    Path f = Files.writeString(dir.resolve("notes.jpg"), "this is not an image\n");
    assertThatThrownBy(() -> decoder.decode(f))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("not a recognised image format");
  }

  @Test
  void missingFileAndDirectoryAreRefused(@TempDir Path dir) {
    Path missing = dir.resolve("nope.png");
    assertThatThrownBy(() -> decoder.decode(missing))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("not found");
    assertThatThrownBy(() -> decoder.decode(dir))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("directory");
  }

  @Test
  void hugeDeclaredPngIsRefusedFromItsHeaderBeforeDecoding(@TempDir Path dir) throws IOException {
    // A valid signature + IHDR (20000 x 20000 RGB, correct CRC) followed by a bogus IDAT and IEND:
    // decoding would fail on the IDAT, so the bomb message proves the header check came first.
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(20000).putInt(20000).put((byte) 8).put((byte) 2)
        .put((byte) 0).put((byte) 0).put((byte) 0);
    byte[] png = concat(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'},
        pngChunk("IHDR", ihdr.array()), pngChunk("IDAT", new byte[] {1, 2, 3}), pngChunk("IEND", new byte[0]));
    Path f = Files.write(dir.resolve("bomb.png"), png);

    assertThatThrownBy(() -> decoder.decode(f))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("20000x20000")
        .hasMessageContaining("decompression bomb");
    // With a limit above 400M pixels the same file gets past the guard and fails on its data instead.
    assertThatThrownBy(() -> new ImageDecoder(true, 500_000_000L).decode(f))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageNotContaining("decompression bomb");
  }

  @Test
  void pixelLimitIsConfigurable() {
    Path f = Fixtures.fixture("preprocess/images/coffee_tiny_20x10.png"); // 200 pixels
    assertThat(new ImageDecoder(true, 200).decode(f).width()).isEqualTo(20);
    assertThatThrownBy(() -> new ImageDecoder(true, 199).decode(f)).hasMessageContaining("decompression bomb");
  }

  // ---------------------------------------------------------------- generated images

  @Test
  void palettePngWithTransparencyExpandsThroughThePaletteAndDropsAlpha() throws IOException {
    byte[] r = {(byte) 255, 0, 12, (byte) 200};
    byte[] g = {0, (byte) 128, 34, (byte) 201};
    byte[] b = {0, (byte) 255, 56, (byte) 202};
    byte[] a = {(byte) 255, (byte) 255, 0, 100};
    IndexColorModel icm = new IndexColorModel(2, 4, r, g, b, a);
    BufferedImage img = new BufferedImage(7, 5, BufferedImage.TYPE_BYTE_BINARY, icm);
    int[] idx = randomSamples(7 * 5, 4, 1);
    img.getRaster().setSamples(0, 0, 7, 5, 0, idx);
    byte[] png = encode(img, "png");
    assertThat(png[25]).as("PNG colour type: palette").isEqualTo((byte) 3);

    RgbImage out = decoder.decode(png, "palette.png");

    byte[] expected = new byte[7 * 5 * 3];
    for (int i = 0; i < idx.length; i++) {
      expected[3 * i] = r[idx[i]];
      expected[3 * i + 1] = g[idx[i]];
      expected[3 * i + 2] = b[idx[i]];
    }
    assertThat(out.rgb()).isEqualTo(expected);
  }

  @Test
  void lowBitDepthGrayPngIsScaledLikePillow() throws IOException {
    // A grey-ramp palette is written as a 4-bit greyscale PNG; Pillow's L;4 unpacker maps v -> v * 17.
    byte[] ramp = new byte[16];
    for (int i = 0; i < 16; i++) {
      ramp[i] = (byte) (i * 17);
    }
    BufferedImage img = new BufferedImage(16, 2, BufferedImage.TYPE_BYTE_BINARY, new IndexColorModel(4, 16, ramp, ramp, ramp));
    int[] v = new int[32];
    for (int i = 0; i < 32; i++) {
      v[i] = i % 16;
    }
    img.getRaster().setSamples(0, 0, 16, 2, 0, v);
    byte[] png = encode(img, "png");
    assertThat(new int[] {png[24], png[25]}).as("bit depth 4, colour type grey").containsExactly(4, 0);

    RgbImage out = decoder.decode(png, "gray4.png");
    assertThat(out.get(5, 0, 0)).isEqualTo(85);
    assertThat(out.get(15, 1, 1)).isEqualTo(255);
    assertThat(out.get(1, 1, 2)).isEqualTo(17);

    BufferedImage bw = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_BINARY);
    bw.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {1, 0, 1});
    byte[] png1 = encode(bw, "png");
    assertThat(new int[] {png1[24], png1[25]}).as("bit depth 1, grey").containsExactly(1, 0);
    assertThat(decoder.decode(png1, "bw.png").rgb())
        .isEqualTo(new byte[] {-1, -1, -1, 0, 0, 0, -1, -1, -1});
  }

  @Test
  void sixteenBitRgbAndGrayAlphaPngKeepTheHighByte() throws IOException {
    int[] samples = {0, 255, 256, 0x1234, 0x80FF, 0xFFFF};
    BufferedImage rgb16 = ushortImage(ColorSpace.CS_sRGB, false, 2, 1);
    rgb16.getRaster().setPixels(0, 0, 2, 1, samples);
    byte[] png = encode(rgb16, "png");
    assertThat(new int[] {png[24], png[25]}).as("16-bit truecolour").containsExactly(16, 2);
    assertThat(decoder.decode(png, "rgb16.png").rgb()).isEqualTo(new byte[] {0, 0, 1, 0x12, (byte) 0x80, (byte) 0xFF});

    BufferedImage la16 = ushortImage(ColorSpace.CS_GRAY, true, 3, 1);
    la16.getRaster().setPixels(0, 0, 3, 1, new int[] {0x00FF, 0xFFFF, 0xABCD, 0, 0x0100, 0x8000});
    byte[] pngLa = encode(la16, "png");
    assertThat(new int[] {pngLa[24], pngLa[25]}).as("16-bit grey + alpha").containsExactly(16, 4);
    assertThat(decoder.decode(pngLa, "la16.png").rgb())
        .isEqualTo(new byte[] {0, 0, 0, (byte) 0xAB, (byte) 0xAB, (byte) 0xAB, 1, 1, 1});
  }

  @Test
  void sixteenBitGrayPngIsClippedLikePillowModeI() throws IOException {
    // Pillow opens 16-bit grey PNG as mode I; convert('RGB') clips to 0..255 (Convert.c i2rgb).
    BufferedImage g16 = new BufferedImage(6, 1, BufferedImage.TYPE_USHORT_GRAY);
    g16.getRaster().setPixels(0, 0, 6, 1, new int[] {0, 7, 255, 256, 4000, 65535});
    byte[] png = encode(g16, "png");
    assertThat(new int[] {png[24], png[25]}).as("16-bit grey").containsExactly(16, 0);

    RgbImage out = decoder.decode(png, "gray16.png");
    int[] firstChannel = new int[6];
    for (int x = 0; x < 6; x++) {
      firstChannel[x] = out.get(x, 0, 0);
      assertThat(out.get(x, 0, 1)).isEqualTo(out.get(x, 0, 0));
      assertThat(out.get(x, 0, 2)).isEqualTo(out.get(x, 0, 0));
    }
    assertThat(firstChannel).containsExactly(0, 7, 255, 255, 255, 255);
  }

  @Test
  void grayAlphaPngReplicatesGrayAndIgnoresAlpha() throws IOException {
    ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
        Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
    BufferedImage la = new BufferedImage(cm, cm.createCompatibleWritableRaster(2, 1), false, null);
    la.getRaster().setPixels(0, 0, 2, 1, new int[] {10, 0, 200, 128});
    byte[] png = encode(la, "png");
    assertThat(png[25]).as("grey + alpha").isEqualTo((byte) 4);
    assertThat(decoder.decode(png, "la.png").rgb()).isEqualTo(new byte[] {10, 10, 10, (byte) 200, (byte) 200, (byte) 200});
  }

  /**
   * JDK's GIFImageReader mis-places rows of interlaced GIFs only 2..4 rows high (it does not skip
   * empty interlace passes); 12 rows, interlaced as ImageIO writes by default, decode correctly.
   */
  @Test
  void trnsChunkInGrayAndRgbPngIsIgnored() throws IOException {
    // Pillow keeps mode L / RGB for a tRNS colour key (info["transparency"]); convert('RGB') ignores it.
    BufferedImage gray = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setPixels(0, 0, 3, 1, new int[] {0, 77, 255});
    byte[] png = encode(gray, "png");
    byte[] keyed = concat(Arrays.copyOf(png, 33), pngChunk("tRNS", new byte[] {0, 77}), Arrays.copyOfRange(png, 33, png.length));
    assertThat(decoder.decode(keyed, "trns-gray.png").rgb()).isEqualTo(new byte[] {0, 0, 0, 77, 77, 77, -1, -1, -1});

    BufferedImage rgb = new BufferedImage(2, 1, BufferedImage.TYPE_3BYTE_BGR);
    rgb.getRaster().setPixels(0, 0, 2, 1, new int[] {1, 2, 3, 4, 5, 6});
    byte[] png2 = encode(rgb, "png");
    byte[] keyed2 = concat(Arrays.copyOf(png2, 33), pngChunk("tRNS", new byte[] {0, 1, 0, 2, 0, 3}),
        Arrays.copyOfRange(png2, 33, png2.length));
    assertThat(decoder.decode(keyed2, "trns-rgb.png").rgb()).isEqualTo(new byte[] {1, 2, 3, 4, 5, 6});
  }

  @Test
  void gifFirstFrameIsExpandedThroughItsPalette() throws IOException {
    byte[] r = {0, (byte) 255, 10, 20, 30, 40, 50, 60};
    byte[] g = {0, 0, (byte) 255, 21, 31, 41, 51, 61};
    byte[] b = {0, 0, 0, (byte) 255, 32, 42, 52, 62};
    BufferedImage img = new BufferedImage(9, 12, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 8, r, g, b));
    int[] idx = randomSamples(9 * 12, 8, 2);
    img.getRaster().setSamples(0, 0, 9, 12, 0, idx);
    byte[] gif = encode(img, "gif");
    assertThat(new String(gif, 0, 3, StandardCharsets.US_ASCII)).isEqualTo("GIF");

    RgbImage out = decoder.decode(gif, "x.gif");
    for (int i = 0; i < idx.length; i++) {
      assertThat(new byte[] {out.rgb()[3 * i], out.rgb()[3 * i + 1], out.rgb()[3 * i + 2]})
          .as("pixel %d", i).containsExactly(r[idx[i]], g[idx[i]], b[idx[i]]);
    }
  }

  @Test
  void bmpDecodesExactly() throws IOException {
    BufferedImage img = new BufferedImage(13, 7, BufferedImage.TYPE_3BYTE_BGR);
    int[] px = randomSamples(13 * 7 * 3, 256, 3);
    img.getRaster().setPixels(0, 0, 13, 7, px);
    byte[] bmp = encode(img, "bmp");
    assertThat(new String(bmp, 0, 2, StandardCharsets.US_ASCII)).isEqualTo("BM");

    RgbImage out = decoder.decode(bmp, "x.bmp");
    byte[] expected = new byte[px.length];
    for (int i = 0; i < px.length; i++) {
      expected[i] = (byte) px[i];
    }
    assertThat(out.rgb()).isEqualTo(expected);
  }

  @Test
  void progressiveAndGrayJpegsDecodeCloseToWhatWasWritten() throws IOException {
    BufferedImage img = smoothImage(64, 48);
    byte[] progressive = jpeg(img, 0.95f, true);
    assertThat(containsMarker(progressive, 0xC2)).as("SOF2 = progressive").isTrue();
    RgbImage out = decoder.decode(progressive, "progressive.jpg");
    assertClose(out, img, 8, 1.0);

    BufferedImage gray = new BufferedImage(64, 48, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 48; y++) {
      for (int x = 0; x < 64; x++) {
        gray.getRaster().setSample(x, y, 0, 40 + 2 * x + y);
      }
    }
    RgbImage g = decoder.decode(jpeg(gray, 0.95f, false), "gray.jpg");
    for (int i = 0; i < 64 * 48; i++) {
      int v = g.rgb()[3 * i] & 0xFF;
      assertThat(g.rgb()[3 * i + 1] & 0xFF).isEqualTo(v);
      assertThat(g.rgb()[3 * i + 2] & 0xFF).isEqualTo(v);
      int x = i % 64;
      int y = i / 64;
      // Grey samples are taken as is: a gamma-mapping colour conversion would shift mid-tones by ~30.
      assertThat(Math.abs(v - (40 + 2 * x + y))).as("gray pixel %d,%d", x, y).isLessThanOrEqualTo(3);
    }
  }

  @Test
  void progressiveJpegTruncatedIsRefused() throws IOException {
    byte[] progressive = jpeg(smoothImage(64, 48), 0.95f, true);
    assertThatThrownBy(() -> decoder.decode(Arrays.copyOf(progressive, progressive.length * 2 / 3), "cut.jpg"))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("cut.jpg")
        .hasMessageContaining("truncated");
  }

  @Test
  void adobeCmykJpegUsesPillowsCmykToRgbFormula() throws IOException {
    // Four 8-pixel-wide flat bars of stored (Adobe-inverted) CMYK values. Pillow reads them as
    // CMYK = 255 - stored, then R = (255 - K) - C * (255 - K) / 255 (rounded, Convert.c cmyk2rgb):
    //   stored (0,0,0,0)         -> CMYK (255,255,255,255) -> black  (0,0,0)
    //   stored (255,255,255,255) -> CMYK 0                 -> white  (255,255,255)
    //   stored (255,0,255,255)   -> CMYK (0,255,0,0)       -> magenta (255,0,255)
    //   stored (235,235,235,55)  -> CMYK (20,20,20,200)    -> 55 - 20*55/255 = 55 - 4 = (51,51,51)
    int[][] stored = {{0, 0, 0, 0}, {255, 255, 255, 255}, {255, 0, 255, 255}, {235, 235, 235, 55}};
    int[][] expected = {{0, 0, 0}, {255, 255, 255}, {255, 0, 255}, {51, 51, 51}};
    WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 32, 16, 4, null);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 32; x++) {
        raster.setPixel(x, y, stored[x / 8]);
      }
    }
    byte[] raw = jpeg(raster, 1.0f);
    // Mark the file as Adobe CMYK (APP14 "Adobe", transform 0) as Photoshop does.
    byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
    byte[] cmyk = concat(Arrays.copyOf(raw, 2), app14, Arrays.copyOfRange(raw, 2, raw.length));

    RgbImage out = decoder.decode(cmyk, "cmyk.jpg");
    for (int bar = 0; bar < 4; bar++) {
      for (int c = 0; c < 3; c++) {
        assertThat(out.get(bar * 8 + 4, 8, c)).as("bar %d channel %d", bar, c).isCloseTo(expected[bar][c], within(2));
      }
    }
  }

  @Test
  void adobeYcckJpegIsConvertedLikeLibjpegThenPillow() throws IOException {
    // Stored (Y, Cb, Cr, K) bars with Adobe transform 2. libjpeg: CMY = 255 - RGB(YCbCr), K kept;
    // Pillow inverts (CMYK = RGB(YCbCr), 255 - K), then cmyk2rgb. By hand:
    //   (128,128,128,255): RGB 128 -> CMYK (128,128,128,0), nk 255 -> 255 - 128 = 127 each
    //   (0,128,128,255):   RGB 0   -> CMYK 0                  -> white
    //   (100,128,255,255): R = 100 + 178 -> 255, G = 100 - 91 = 9, B = 100 -> (255 - 255, 255 - 9, 255 - 100)
    //   (128,128,128,155): CMYK (128,128,128,100), nk 155 -> 155 - 128*155/255 (78) = 77 each
    int[][] stored = {{128, 128, 128, 255}, {0, 128, 128, 255}, {100, 128, 255, 255}, {128, 128, 128, 155}};
    int[][] expected = {{127, 127, 127}, {255, 255, 255}, {0, 246, 155}, {77, 77, 77}};
    WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 32, 16, 4, null);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 32; x++) {
        raster.setPixel(x, y, stored[x / 8]);
      }
    }
    byte[] raw = jpeg(raster, 1.0f);
    byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 2};
    byte[] ycck = concat(Arrays.copyOf(raw, 2), app14, Arrays.copyOfRange(raw, 2, raw.length));

    RgbImage out = decoder.decode(ycck, "ycck.jpg");
    for (int bar = 0; bar < 4; bar++) {
      for (int c = 0; c < 3; c++) {
        assertThat(out.get(bar * 8 + 4, 8, c)).as("bar %d channel %d", bar, c)
            .isCloseTo(expected[bar][c], within(2));
      }
    }
  }

  @Test
  void webpIsDecoded() throws IOException {
    // A 1x1 lossless WebP (VP8L; the well-known feature-detection sample). ImageIO has no WebP writer,
    // so only the plugin wiring and the dimensions are checked here.
    byte[] webp = Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");
    RgbImage out = decoder.decode(webp, "tiny.webp");
    assertThat(out.width()).isEqualTo(1);
    assertThat(out.height()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- EXIF orientation

  @ParameterizedTest(name = "orientation {0}")
  @CsvSource({
    "1, 3, 'a b c / d e f'",
    "2, 3, 'c b a / f e d'",
    "3, 3, 'f e d / c b a'",
    "4, 3, 'd e f / a b c'",
    "5, 2, 'a d / b e / c f'",
    "6, 2, 'd a / e b / f c'",
    "7, 2, 'f c / e b / d a'",
    "8, 2, 'c f / b e / a d'"
  })
  void pngExifOrientationIsAppliedLikeExifTranspose(int orientation, int expectedWidth, String layout) throws IOException {
    // 3x2 image whose pixels a..f have grey levels 10..60: "a b c / d e f".
    BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_3BYTE_BGR);
    for (int i = 0; i < 6; i++) {
      int v = 10 * (i + 1);
      img.getRaster().setPixel(i % 3, i / 3, new int[] {v, v, v});
    }
    byte[] png = encode(img, "png");
    byte[] withExif = concat(Arrays.copyOf(png, 33), pngChunk("eXIf", tiffWithOrientation(orientation, true)),
        Arrays.copyOfRange(png, 33, png.length));

    RgbImage out = decoder.decode(withExif, "exif.png");

    StringBuilder actual = new StringBuilder();
    for (int y = 0; y < out.height(); y++) {
      if (y > 0) {
        actual.append(" / ");
      }
      for (int x = 0; x < out.width(); x++) {
        actual.append(x > 0 ? " " : "").append((char) ('a' + out.get(x, y, 0) / 10 - 1));
      }
    }
    assertThat(out.width()).isEqualTo(expectedWidth);
    assertThat(actual.toString()).isEqualTo(layout);
    // Plain Image.open semantics when disabled.
    assertThat(new ImageDecoder(false, ImageDecoder.DEFAULT_MAX_PIXELS).decode(withExif, "exif.png").rgb())
        .isEqualTo(decoder.decode(png, "plain.png").rgb());
  }

  @Test
  void jpegExifOrientationSixRotatesClockwise() throws IOException {
    // 16x8: left half red, right half blue. Rotating 90 degrees clockwise puts red on top of 8x16.
    BufferedImage img = new BufferedImage(16, 8, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 16; x++) {
        img.getRaster().setPixel(x, y, x < 8 ? new int[] {220, 20, 20} : new int[] {20, 20, 220});
      }
    }
    byte[] jpg = jpeg(img, 1.0f, false);
    byte[] tiff = tiffWithOrientation(6, false);
    byte[] app1 = concat(new byte[] {(byte) 0xFF, (byte) 0xE1, 0, (byte) (2 + 6 + tiff.length)},
        "Exif\0\0".getBytes(StandardCharsets.US_ASCII), tiff);
    byte[] withExif = concat(Arrays.copyOf(jpg, 2), app1, Arrays.copyOfRange(jpg, 2, jpg.length));

    RgbImage rotated = decoder.decode(withExif, "exif.jpg");
    assertThat(rotated.width()).isEqualTo(8);
    assertThat(rotated.height()).isEqualTo(16);
    assertThat(rotated.get(4, 2, 0)).isGreaterThan(180);
    assertThat(rotated.get(4, 2, 2)).isLessThan(60);
    assertThat(rotated.get(4, 13, 2)).isGreaterThan(180);

    RgbImage asStored = new ImageDecoder(false, ImageDecoder.DEFAULT_MAX_PIXELS).decode(withExif, "exif.jpg");
    assertThat(asStored.width()).isEqualTo(16);
    assertThat(asStored.height()).isEqualTo(8);
  }

  // ---------------------------------------------------------------- helpers

  static int countDiffs(byte[] a, byte[] b) {
    int n = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        n++;
      }
    }
    return n;
  }

  private static byte[] encode(RenderedImage img, String format) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    assertThat(ImageIO.write(img, format, bos)).as("ImageIO can write %s", format).isTrue();
    return bos.toByteArray();
  }

  private static byte[] jpeg(BufferedImage img, float quality, boolean progressive) throws IOException {
    return jpegOf(new IIOImage(img, null, null), quality, progressive);
  }

  private static byte[] jpeg(Raster raster, float quality) throws IOException {
    return jpegOf(new IIOImage(raster, null, null), quality, false);
  }

  private static byte[] jpegOf(IIOImage image, float quality, boolean progressive) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(bos)) {
      writer.setOutput(ios);
      ImageWriteParam p = writer.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(quality);
      if (progressive) {
        p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      }
      writer.write(null, image, p);
    } finally {
      writer.dispose();
    }
    return bos.toByteArray();
  }

  private static BufferedImage ushortImage(int colorSpace, boolean alpha, int w, int h) {
    ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(colorSpace), alpha, false,
        alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
    return new BufferedImage(cm, cm.createCompatibleWritableRaster(w, h), false, null);
  }

  private static BufferedImage smoothImage(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.getRaster().setPixel(x, y, new int[] {30 + 3 * x, 20 + 4 * y, 200 - 2 * x - y});
      }
    }
    return img;
  }

  private static void assertClose(RgbImage out, BufferedImage img, int maxAbs, double maxMean) {
    assertThat(out.width()).isEqualTo(img.getWidth());
    assertThat(out.height()).isEqualTo(img.getHeight());
    int[] px = img.getRaster().getPixels(0, 0, img.getWidth(), img.getHeight(), (int[]) null);
    long sum = 0;
    int max = 0;
    for (int i = 0; i < px.length; i++) {
      int d = Math.abs(px[i] - (out.rgb()[i] & 0xFF));
      sum += d;
      max = Math.max(max, d);
    }
    assertThat(max).as("max abs diff").isLessThanOrEqualTo(maxAbs);
    assertThat((double) sum / px.length).as("mean abs diff").isLessThanOrEqualTo(maxMean);
  }

  private static boolean containsMarker(byte[] jpg, int marker) {
    for (int i = 0; i + 1 < jpg.length; i++) {
      if ((jpg[i] & 0xFF) == 0xFF && (jpg[i + 1] & 0xFF) == marker) {
        return true;
      }
    }
    return false;
  }

  private static int[] randomSamples(int n, int bound, long seed) {
    Random rnd = new Random(seed);
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = rnd.nextInt(bound);
    }
    return v;
  }

  /** A TIFF block with IFD0 holding one SHORT tag 0x0112 = orientation. */
  private static byte[] tiffWithOrientation(int orientation, boolean littleEndian) {
    ByteBuffer b = ByteBuffer.allocate(26).order(littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    b.put(littleEndian ? (byte) 'I' : (byte) 'M').put(littleEndian ? (byte) 'I' : (byte) 'M').putShort((short) 42).putInt(8);
    b.putShort((short) 1).putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
    b.putInt(0);
    return b.array();
  }

  static byte[] pngChunk(String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(t).put(data).putInt((int) crc.getValue()).array();
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }
}
