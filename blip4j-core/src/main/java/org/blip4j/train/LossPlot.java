package org.blip4j.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * {@code loss.png}: one curve per loss against the step (left axis, shared scale) and the learning
 * rate (right axis, dashed), drawn with Java2D so no plotting library is needed. Curves are smoothed
 * with a moving average over ~1 % of the steps; the raw values are in {@code metrics.jsonl}.
 */
public final class LossPlot {
  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
      new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2)};
  private static final int W = 900;
  private static final int H = 520;
  private static final int L = 70;
  private static final int R = 80;
  private static final int T = 40;
  private static final int B = 50;

  private LossPlot() {}

  /** Writes the plot of {@code records} to {@code file} (atomically). */
  public static void write(List<StepRecord> records, String title, Path file) throws IOException {
    BufferedImage img = render(records, title);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp.png");
    ImageIO.write(img, "png", tmp.toFile());
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Renders the plot. */
  public static BufferedImage render(List<StepRecord> records, String title) {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, W, H);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setColor(Color.BLACK);
    g.drawString(title, L, 22);
    int pw = W - L - R;
    int ph = H - T - B;
    g.setColor(Color.GRAY);
    g.drawRect(L, T, pw, ph);
    if (records.isEmpty()) {
      g.drawString("no steps yet", L + 10, T + 20);
      g.dispose();
      return img;
    }
    Set<String> names = new LinkedHashSet<>();
    records.forEach(r -> names.addAll(r.losses().keySet()));
    long x0 = records.get(0).step();
    long x1 = Math.max(x0 + 1, records.get(records.size() - 1).step());
    int window = Math.max(1, records.size() / 100);
    double ymax = 0;
    List<double[]> curves = new ArrayList<>();
    for (String n : names) {
      double[] y = smooth(records, n, window);
      curves.add(y);
      for (double v : y) {
        if (Double.isFinite(v)) {
          ymax = Math.max(ymax, v);
        }
      }
    }
    ymax = ymax <= 0 ? 1 : ymax * 1.05;
    double lrMax = records.stream().mapToDouble(StepRecord::lr).max().orElse(1);
    lrMax = lrMax <= 0 ? 1 : lrMax * 1.05;
    // axes ticks
    g.setColor(Color.DARK_GRAY);
    for (int i = 0; i <= 5; i++) {
      int y = T + ph - i * ph / 5;
      g.drawString(String.format("%.3g", ymax * i / 5), 8, y + 4);
      g.drawString(String.format("%.2g", lrMax * i / 5), L + pw + 6, y + 4);
      long step = x0 + (x1 - x0) * i / 5;
      int x = L + i * pw / 5;
      g.drawString(Long.toString(step), x - 10, T + ph + 18);
    }
    g.drawString("step", L + pw / 2 - 10, H - 12);
    g.drawString("lr", L + pw + 6, T - 8);
    int c = 0;
    int legendX = L + 10;
    for (String n : names) {
      double[] y = curves.get(c);
      g.setColor(COLORS[c % COLORS.length]);
      g.setStroke(new BasicStroke(n.equals("loss") ? 2f : 1.3f));
      draw(g, records, y, x0, x1, ymax, pw, ph);
      g.fillRect(legendX, T + 8, 12, 3);
      g.drawString(n, legendX + 16, T + 14);
      legendX += 24 + g.getFontMetrics().stringWidth(n) + 10;
      c++;
    }
    double[] lr = records.stream().mapToDouble(StepRecord::lr).toArray();
    g.setColor(Color.GRAY);
    g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    draw(g, records, lr, x0, x1, lrMax, pw, ph);
    g.drawString("lr (dashed)", legendX, T + 14);
    g.dispose();
    return img;
  }

  private static void draw(Graphics2D g, List<StepRecord> records, double[] y, long x0, long x1, double ymax, int pw, int ph) {
    Path2D.Double path = new Path2D.Double();
    boolean started = false;
    for (int i = 0; i < y.length; i++) {
      if (!Double.isFinite(y[i])) {
        continue;
      }
      double px = L + (records.get(i).step() - x0) / (double) (x1 - x0) * pw;
      double py = T + ph - Math.min(1, y[i] / ymax) * ph;
      if (started) {
        path.lineTo(px, py);
      } else {
        path.moveTo(px, py);
        started = true;
      }
    }
    g.draw(path);
  }

  private static double[] smooth(List<StepRecord> records, String name, int window) {
    double[] out = new double[records.size()];
    double sum = 0;
    int count = 0;
    ArrayDeque<Double> q = new ArrayDeque<>();
    for (int i = 0; i < records.size(); i++) {
      Double v = records.get(i).losses().get(name);
      if (v != null && Double.isFinite(v)) {
        q.add(v);
        sum += v;
        count++;
        if (q.size() > window) {
          sum -= q.poll();
          count--;
        }
      }
      out[i] = count == 0 ? Double.NaN : sum / count;
    }
    return out;
  }
}
