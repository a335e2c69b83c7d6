package org.blip4j.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes PNG, JPEG, GIF, BMP and WebP (first frame) into an {@link RgbImage} equal to Pillow's
 * {@code Image.open(f).convert('RGB')}.
 *
 * <p>Pixels are taken from the decoder's raw raster in the file's own colour space and converted
 * here, so Java2D never colour-manages (embedded ICC profiles are ignored, as Pillow ignores them),
 * gamma-maps grey, or premultiplies. The conversions follow Pillow 9.4:
 *
 * <ul>
 *   <li>alpha is dropped, not composited; grey (and grey + alpha) is replicated to R = G = B;
 *   <li>palette images are expanded through the palette;
 *   <li>1/2/4-bit samples are scaled to 0..255 ({@code v * 255 / (2^bits - 1)});
 *   <li>16-bit grey PNG (Pillow mode {@code I}) is clipped to 0..255, every other 16-bit sample keeps
 *       its high byte (Pillow's {@code RGB;16B}, {@code RGBA;16B}, {@code LA;16B} unpackers);
 *   <li>CMYK/YCCK JPEG uses Pillow's {@code cmyk2rgb}: {@code (255 - K) - (C * (255 - K)) / 255} per channel.
 * </ul>
 *
 * <p>EXIF orientation: Pillow's {@code Image.open} does NOT rotate by the EXIF Orientation tag; the
 * original BLIP code and HF's processor therefore see the stored pixel order. This decoder applies the
 * tag by default ({@code applyExifOrientation = true}, as {@code ImageOps.exif_transpose} would) for
 * JPEG (APP1) and PNG ({@code eXIf}); pass {@code false} for Pillow-open parity on rotated photos.
 *
 * <p>Decoders: PNG, GIF and BMP are lossless and decode as Pillow does. JPEG goes through the JDK's
 * libjpeg 6b (islow IDCT, fancy upsampling) plus TwelveMonkeys' fixed-point YCbCr conversion; on the
 * fixture photo this equals Pillow/libjpeg-turbo byte for byte, other files may differ by a level or
 * two where the decoders' rounding differs. WebP uses TwelveMonkeys' pure-Java decoder, not libwebp,
 * so lossy WebP may differ slightly. Known gaps: a GIF frame smaller than the logical screen is
 * returned at frame size (Pillow pads it to the screen), and the JDK GIF reader mis-orders rows of
 * interlaced GIFs only 2..4 rows high; EXIF in WebP is not applied.
 *
 * <p>Guards: the header dimensions are checked against {@link #maxPixels()} before any pixel data
 * is decoded (default {@value #DEFAULT_MAX_PIXELS}, Pillow's {@code 2 * MAX_IMAGE_PIXELS} error
 * threshold), and a JPEG that ends before its last scan is refused as truncated, as Pillow refuses it.
 * All failures are {@link ImageDecodeException}s naming the source. Instances are immutable and
 * thread-safe.
 */
public final class ImageDecoder {
  /** Default pixel limit: Pillow raises {@code DecompressionBombError} above 2 * 89,478,485 pixels. */
  public static final long DEFAULT_MAX_PIXELS = 178_956_970L;

  private static final Logger LOG = LoggerFactory.getLogger(ImageDecoder.class);

  static {
    ImageIO.scanForPlugins(); // find the TwelveMonkeys readers even when loaded by a child class loader
  }

  private final boolean applyExifOrientation;
  private final long maxPixels;

  /** A decoder that applies EXIF orientation and uses {@link #DEFAULT_MAX_PIXELS}. */
  public ImageDecoder() {
    this(true, DEFAULT_MAX_PIXELS);
  }

  /**
   * A decoder with explicit options.
   *
   * @param applyExifOrientation rotate/flip by the EXIF Orientation tag as {@code exif_transpose} does
   * @param maxPixels refuse images whose declared {@code width * height} exceeds this
   */
  public ImageDecoder(boolean applyExifOrientation, long maxPixels) {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
    }
    this.applyExifOrientation = applyExifOrientation;
    this.maxPixels = maxPixels;
  }

  /** Whether the EXIF Orientation tag is applied. */
  public boolean applyExifOrientation() {
    return applyExifOrientation;
  }

  /** The decompression-bomb limit in pixels. */
  public long maxPixels() {
    return maxPixels;
  }

  /** Decodes the image file at {@code file}. */
  public RgbImage decode(Path file) {
    String source = file.toString();
    byte[] data;
    try {
      if (Files.isDirectory(file)) {
        throw new ImageDecodeException(source, "is a directory, not an image file");
      }
      data = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ImageDecodeException(source, "file not found", e);
    } catch (IOException e) {
      throw new ImageDecodeException(source, "cannot read file (" + e + ")", e);
    }
    return decode(data, source);
  }

  /** Decodes an image read completely from {@code in} (not closed); {@code source} labels errors. */
  public RgbImage decode(InputStream in, String source) {
    try {
      return decode(in.readAllBytes(), source);
    } catch (IOException e) {
      throw new ImageDecodeException(source, "cannot read stream (" + e + ")", e);
    }
  }

  /** Decodes an encoded image held in memory; {@code source} labels errors (e.g. a URL or key). */
  public RgbImage decode(byte[] data, String source) {
    if (data.length == 0) {
      throw new ImageDecodeException(source, "empty input (0 bytes)");
    }
    RgbImage img;
    try (ImageInputStream iis = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
      if (!readers.hasNext()) {
        throw new ImageDecodeException(source, "not a recognised image format (expected PNG, JPEG, GIF, BMP or WebP;"
            + " " + data.length + " bytes starting with " + hexPrefix(data) + ")");
      }
      img = read(readers.next(), iis, data, source);
    } catch (IOException e) {
      throw new ImageDecodeException(source, "I/O error (" + e + ")", e);
    }
    return applyExifOrientation ? ExifOrientation.apply(img, ExifOrientation.read(data)) : img;
  }

  private RgbImage read(ImageReader reader, ImageInputStream iis, byte[] data, String source) {
    String format = reader.getOriginatingProvider().getFormatNames()[0].toUpperCase(Locale.ROOT);
    try {
      reader.setInput(iis, true, true); // metadata ignored: e.g. a PNG without IEND still decodes, as in Pillow
      long width = reader.getWidth(0);
      long height = reader.getHeight(0);
      if (width < 1 || height < 1) {
        throw new ImageDecodeException(source, format + " header declares an empty image " + width + "x" + height);
      }
      if (width * height > maxPixels) {
        throw new ImageDecodeException(source, String.format(Locale.ROOT,
            "%s header declares %dx%d = %d pixels, more than the limit of %d (decompression bomb guard)",
            format, width, height, width * height, maxPixels));
      }
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((r, message) -> warnings.add(message));
      ImageTypeSpecifier raw = reader.getRawImageType(0);
      if (raw != null && raw.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK
          && format.equals("JPEG") && reader.canReadRaster()) {
        // CMYK / YCCK JPEG: take libjpeg's unconverted samples and convert exactly as Pillow does.
        Raster samples = reader.readRaster(0, null);
        checkWarnings(warnings, source, format);
        int adobe = ExifOrientation.jpegSegment(data, 0xEE, "Adobe");
        boolean ycck = adobe > 0 && adobe + 11 < data.length && data[adobe + 11] == 2;
        return cmykJpegToRgb(samples, ycck);
      }
      ImageReadParam param = reader.getDefaultReadParam();
      if (raw != null && offers(reader, raw)) {
        param.setDestinationType(raw); // the file's own colour space: no ICC conversion by Java2D
      }
      BufferedImage image = reader.read(0, param);
      checkWarnings(warnings, source, format);
      return toRgb(image, source, format, isSixteenBitGrayPng(data));
    } catch (ImageDecodeException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      Throwable c = e.getCause();
      if (c != null && c.getMessage() != null && !reason.contains(c.getMessage())) {
        reason += ": " + c.getMessage();
      }
      throw new ImageDecodeException(source, "corrupt or truncated " + format + " data (" + reason + ")", e);
    } finally {
      reader.dispose();
    }
  }

  /** Pillow opens 16-bit grey PNG (IHDR bit depth 16, colour type 0) as mode I, which clips to 0..255. */
  private static boolean isSixteenBitGrayPng(byte[] d) {
    return d.length > 25 && (d[0] & 0xFF) == 0x89 && d[1] == 'P' && d[2] == 'N' && d[3] == 'G'
        && d[12] == 'I' && d[13] == 'H' && d[14] == 'D' && d[15] == 'R' && d[24] == 16 && d[25] == 0;
  }

  private static void checkWarnings(List<String> warnings, String source, String format) {
    for (String w : warnings) {
      if (isTruncation(w)) {
        throw new ImageDecodeException(source, format + " data is truncated (" + w + ")");
      }
      LOG.debug("{}: {} decoder warning: {}", source, format, w);
    }
  }

  private static boolean offers(ImageReader reader, ImageTypeSpecifier type) throws IOException {
    for (Iterator<ImageTypeSpecifier> it = reader.getImageTypes(0); it.hasNext(); ) {
      if (type.equals(it.next())) {
        return true;
      }
    }
    return false;
  }

  /**
   * libjpeg's "premature end of data segment" means the scan data ran out: Pillow raises "image file is
   * truncated". A file that only lacks the final EOI marker ("Missing EOI") decodes in Pillow, and here.
   */
  private static boolean isTruncation(String warning) {
    return warning.toLowerCase(Locale.ROOT).contains("premature end");
  }

  /**
   * Converts an already decoded image to RGB from its raw raster, with the same rules as file decoding
   * (alpha dropped, grey replicated, palette expanded, no colour management; 16-bit samples keep their
   * high byte). {@code source} labels errors.
   */
  public RgbImage convert(BufferedImage image, String source) {
    return toRgb(image, source, "BufferedImage", false);
  }

  /** Converts a decoded image's raw raster to Pillow's RGB, as described in the class comment. */
  static RgbImage toRgb(BufferedImage image, String source, String format, boolean pillowModeI) {
    RgbImage direct = direct8BitRgb(image);
    return direct != null ? direct : samplesToRgb(image, source, format, pillowModeI);
  }

  /**
   * The common layouts read straight from the data buffer: 8-bit RGB or RGBA (alpha not
   * premultiplied, and dropped), int-packed as Java2D draws it or byte-interleaved as the PNG and
   * JPEG readers decode it. The same bytes as {@link #samplesToRgb}, without a call per pixel
   * ({@code blip bench --data}, 1 thread: 8–11 % more samples/s); null for any other layout.
   */
  static RgbImage direct8BitRgb(BufferedImage image) {
    Raster raster = image.getRaster();
    ColorModel cm = image.getColorModel();
    if (cm instanceof IndexColorModel || cm.isAlphaPremultiplied() || cm.getNumColorComponents() != 3
        || cm.getColorSpace().getType() != ColorSpace.TYPE_RGB || raster.getParent() != null
        || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0) {
      return null;
    }
    for (int c = 0; c < cm.getNumComponents(); c++) {
      if (cm.getComponentSize(c) != 8) {
        return null;
      }
    }
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[3 * w * h];
    int o = 0;
    if (raster.getDataBuffer() instanceof DataBufferInt db && db.getNumBanks() == 1
        && raster.getSampleModel() instanceof SinglePixelPackedSampleModel sm) {
      int[] masks = sm.getBitMasks();
      int[] shifts = sm.getBitOffsets();
      int[] px = db.getData();
      for (int y = 0; y < h; y++) {
        for (int x = 0, i = db.getOffset() + y * sm.getScanlineStride(); x < w; x++, i++) {
          int p = px[i];
          out[o++] = (byte) ((p & masks[0]) >>> shifts[0]);
          out[o++] = (byte) ((p & masks[1]) >>> shifts[1]);
          out[o++] = (byte) ((p & masks[2]) >>> shifts[2]);
        }
      }
      return new RgbImage(w, h, out);
    }
    if (raster.getDataBuffer() instanceof DataBufferByte db && db.getNumBanks() == 1
        && raster.getSampleModel() instanceof PixelInterleavedSampleModel sm) {
      int[] band = sm.getBandOffsets();
      int stride = sm.getPixelStride();
      byte[] data = db.getData();
      for (int y = 0; y < h; y++) {
        for (int x = 0, i = db.getOffset() + y * sm.getScanlineStride(); x < w; x++, i += stride) {
          out[o++] = data[i + band[0]];
          out[o++] = data[i + band[1]];
          out[o++] = data[i + band[2]];
        }
      }
      return new RgbImage(w, h, out);
    }
    return null;
  }

  /** Every layout, sample by sample through the raster. */
  static RgbImage samplesToRgb(BufferedImage image, String source, String format, boolean pillowModeI) {
    int w = image.getWidth();
    int h = image.getHeight();
    Raster raster = image.getRaster();
    ColorModel cm = image.getColorModel();
    byte[] out = new byte[3 * w * h];
    int bands = raster.getNumBands();
    int[] row = new int[w * bands];
    int o = 0;

    if (cm instanceof IndexColorModel icm) {
      int n = icm.getMapSize();
      byte[] r = new byte[256];
      byte[] g = new byte[256];
      byte[] b = new byte[256];
      icm.getReds(r);
      icm.getGreens(g);
      icm.getBlues(b);
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        for (int x = 0; x < w; x++) {
          int i = row[x];
          boolean inMap = i < n;
          out[o++] = inMap ? r[i] : 0;
          out[o++] = inMap ? g[i] : 0;
          out[o++] = inMap ? b[i] : 0;
        }
      }
      return new RgbImage(w, h, out);
    }

    int colors = cm.getNumColorComponents();
    int csType = cm.getColorSpace().getType();
    boolean gray = colors == 1;
    boolean cmyk = colors == 4 && csType == ColorSpace.TYPE_CMYK;
    if (!gray && colors != 3 && !cmyk) {
      throw new ImageDecodeException(source, "unsupported " + format + " pixel layout: " + colors
          + " colour components in colour space type " + csType);
    }
    int[][] lut = new int[bands][];
    for (int c = 0; c < bands; c++) {
      int bits = cm.getComponentSize(Math.min(c, cm.getNumComponents() - 1));
      if (bits > 16) {
        throw new ImageDecodeException(source, "unsupported " + format + " sample depth of " + bits + " bits");
      }
      lut[c] = sampleToByte(bits, pillowModeI);
    }
    boolean premultiplied = cm.hasAlpha() && cm.isAlphaPremultiplied();
    for (int y = 0; y < h; y++) {
      raster.getPixels(0, y, w, 1, row);
      for (int x = 0, p = 0; x < w; x++, p += bands) {
        int r = lut[0][row[p]];
        if (gray) {
          out[o++] = (byte) r;
          out[o++] = (byte) r;
          out[o++] = (byte) r;
          continue;
        }
        int g = lut[1][row[p + 1]];
        int b = lut[2][row[p + 2]];
        if (cmyk) {
          o = cmykToRgb(r, g, b, lut[3][row[p + 3]], out, o);
          continue;
        }
        if (premultiplied) {
          int a = lut[bands - 1][row[p + bands - 1]];
          r = unpremultiply(r, a);
          g = unpremultiply(g, a);
          b = unpremultiply(b, a);
        }
        out[o++] = (byte) r;
        out[o++] = (byte) g;
        out[o++] = (byte) b;
      }
    }
    return new RgbImage(w, h, out);
  }

  /**
   * Lookup from a raw sample of {@code bits} bits to 0..255: scale up small depths, keep 8 bits, and
   * for 16 bits clip (Pillow's mode I) or take the high byte (everything else).
   */
  private static int[] sampleToByte(int bits, boolean clip16) {
    int max = (1 << bits) - 1;
    int[] lut = new int[max + 1];
    for (int v = 0; v <= max; v++) {
      if (bits <= 8) {
        lut[v] = v * 255 / max;
      } else if (bits == 16 && clip16) {
        lut[v] = Math.min(v, 255);
      } else {
        lut[v] = v >> (bits - 8);
      }
    }
    return lut;
  }

  /**
   * A CMYK or Adobe YCCK JPEG from libjpeg's raw samples, as Pillow 9.4 sees it: libjpeg turns YCCK
   * into CMYK ({@code C = 255 - R(YCbCr)}, K kept), Pillow always inverts the result ("CMYK;I"), then
   * {@code convert('RGB')} applies {@code cmyk2rgb}.
   */
  private static RgbImage cmykJpegToRgb(Raster raster, boolean ycck) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    byte[] out = new byte[3 * w * h];
    int[] row = new int[4 * w];
    int[] rgb = new int[3];
    int o = 0;
    for (int y = 0; y < h; y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
      for (int p = 0; p < row.length; p += 4) {
        if (ycck) {
          yccToRgb(row[p], row[p + 1], row[p + 2], rgb);
          o = cmykToRgb(rgb[0], rgb[1], rgb[2], 255 - row[p + 3], out, o);
        } else {
          o = cmykToRgb(255 - row[p], 255 - row[p + 1], 255 - row[p + 2], 255 - row[p + 3], out, o);
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  /** libjpeg's fixed-point YCbCr to RGB (jdcolor.c, 16 fraction bits), clamped to 0..255. */
  private static void yccToRgb(int yy, int cb, int cr, int[] rgb) {
    final int half = 1 << 15;
    int x = cr - 128;
    int z = cb - 128;
    rgb[0] = clip8(yy + ((fix(1.40200) * x + half) >> 16));
    rgb[1] = clip8(yy + ((-fix(0.34414) * z + half - fix(0.71414) * x) >> 16));
    rgb[2] = clip8(yy + ((fix(1.77200) * z + half) >> 16));
  }

  private static int fix(double v) {
    return (int) (v * (1 << 16) + 0.5);
  }

  /** Pillow's {@code cmyk2rgb}: {@code (255 - K) - C * (255 - K) / 255} per channel; returns the next offset. */
  private static int cmykToRgb(int c, int m, int y, int k, byte[] out, int o) {
    int nk = 255 - k;
    out[o] = (byte) clip8(nk - mulDiv255(c, nk));
    out[o + 1] = (byte) clip8(nk - mulDiv255(m, nk));
    out[o + 2] = (byte) clip8(nk - mulDiv255(y, nk));
    return o + 3;
  }

  /** Pillow's {@code MULDIV255}: {@code (a * b + 127) / 255} via shifts. */
  private static int mulDiv255(int a, int b) {
    int t = a * b + 128;
    return ((t >> 8) + t) >> 8;
  }

  private static int clip8(int v) {
    return v <= 0 ? 0 : Math.min(v, 255);
  }

  private static int unpremultiply(int v, int a) {
    return a == 0 ? 0 : Math.min(255, (v * 255 + a / 2) / a);
  }

  private static String hexPrefix(byte[] data) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(8, data.length); i++) {
      sb.append(String.format(Locale.ROOT, "%02x", data[i] & 0xFF));
    }
    return sb.toString();
  }
}
