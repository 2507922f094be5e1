package dev.sluice.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Draws the stress run's p99 latency of auto-commit inserts against the thread count, one line per
 * target, as a PNG (log scales, no library beyond the JDK). Stateless.
 */
final class Plot {
  private static final int W = 900;
  private static final int H = 560;
  private static final int LEFT = 90;
  private static final int RIGHT = 230;
  private static final int TOP = 60;
  private static final int BOTTOM = 70;
  private static final Color[] COLORS = {
    new Color(0xC0392B), new Color(0x2E86C1), new Color(0x27AE60), new Color(0x8E44AD)
  };

  private Plot() {}

  /** Writes the plot of every "insert N thr" row to {@code png}. */
  static void p99VsThreads(List<Row> rows, Path png) throws IOException {
    Map<String, List<double[]>> series = new LinkedHashMap<>();
    for (Row r : rows) {
      if (r.workload().startsWith("insert ") && r.workload().endsWith(" thr") && r.p99() > 0) {
        series
            .computeIfAbsent(r.targetLabel(), k -> new ArrayList<>())
            .add(new double[] {r.threads(), r.p99()});
      }
    }
    double minY = Double.MAX_VALUE;
    double maxY = 0;
    double maxX = 1;
    for (List<double[]> points : series.values()) {
      for (double[] p : points) {
        minY = Math.min(minY, p[1]);
        maxY = Math.max(maxY, p[1]);
        maxX = Math.max(maxX, p[0]);
      }
    }
    if (series.isEmpty()) {
      return;
    }
    double lo = Math.floor(Math.log10(Math.max(minY, 1e-3)));
    double hi = Math.ceil(Math.log10(Math.max(maxY, 1e-2)));
    if (hi <= lo) {
      hi = lo + 1;
    }
    BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, W, H);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString("p99 latency of auto-commit inserts vs threads", LEFT, 30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int plotW = W - LEFT - RIGHT;
    int plotH = H - TOP - BOTTOM;
    g.drawRect(LEFT, TOP, plotW, plotH);
    for (double e = lo; e <= hi; e++) {
      int y = TOP + plotH - (int) ((e - lo) / (hi - lo) * plotH);
      g.setColor(new Color(0xDDDDDD));
      g.drawLine(LEFT, y, LEFT + plotW, y);
      g.setColor(Color.BLACK);
      g.drawString(String.format(Locale.ROOT, "%s ms", label(Math.pow(10, e))), 10, y + 4);
    }
    double maxLogX = Math.log10(maxX);
    for (int t : new int[] {1, 5, 10, 32}) {
      if (t <= maxX) {
        int x = LEFT + (int) (maxLogX == 0 ? 0 : Math.log10(t) / maxLogX * plotW);
        g.drawLine(x, TOP + plotH, x, TOP + plotH + 5);
        g.drawString(Integer.toString(t), x - 6, TOP + plotH + 20);
      }
    }
    g.drawString("threads (log scale)", LEFT + plotW / 2 - 50, H - 25);
    int i = 0;
    for (Map.Entry<String, List<double[]>> s : series.entrySet()) {
      Color c = COLORS[i % COLORS.length];
      g.setColor(c);
      g.setStroke(new BasicStroke(2.5f));
      int prevX = -1;
      int prevY = -1;
      for (double[] p : s.getValue()) {
        int x = LEFT + (int) (maxLogX == 0 ? 0 : Math.log10(p[0]) / maxLogX * plotW);
        double ly = (Math.log10(Math.max(p[1], 1e-3)) - lo) / (hi - lo);
        int y = TOP + plotH - (int) (ly * plotH);
        g.fillOval(x - 4, y - 4, 8, 8);
        if (prevX >= 0) {
          g.drawLine(prevX, prevY, x, y);
        }
        prevX = x;
        prevY = y;
      }
      g.drawString(s.getKey(), LEFT + plotW + 15, TOP + 20 + 22 * i);
      i++;
    }
    g.dispose();
    ImageIO.write(image, "png", png.toFile());
  }

  private static String label(double v) {
    return v >= 1 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
  }
}
