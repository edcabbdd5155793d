package io.homeport.loadtest;

import java.util.List;
import java.util.Locale;

/**
 * The HTML report's charts, drawn as inline SVG by hand: no script, no library, nothing fetched, so
 * the report opens offline and stays readable in ten years.
 */
final class SvgCharts {

    /** One line of a percentile chart. */
    record Series(String name, String color, List<PercentilePoint> points) {}

    static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
        "#7f7f7f", "#bcbd22"};

    private static final int LEFT = 64;
    private static final int RIGHT = 32;
    private static final int TOP = 40;
    private static final int LEGEND_PER_ROW = 12;
    private static final int BOTTOM = 44;

    private SvgCharts() {}

    static String color(int index) {
        return PALETTE[index % PALETTE.length];
    }

    /**
     * Latency by percentile, the x axis stretched towards the tail ({@code 1 / (1 - p)} on a log
     * scale: 0%, 90%, 99%, 99.9%...), so that the tail gets as much room as the median.
     * {@code nines} is how far the axis goes: 3 ends at 99.9%.
     */
    static String percentileChart(String title, List<Series> series, int nines, int width, int height) {
        double yMax = 0;
        for (Series line : series) {
            for (PercentilePoint point : line.points()) {
                yMax = Math.max(yMax, point.latencyMs());
            }
        }
        double yStep = niceStep(yMax / 5);
        double yTop = Math.max(yStep, Math.ceil(yMax / yStep) * yStep);
        Frame frame = new Frame(width, height, nines, yTop);
        StringBuilder svg = open(title, width, height);
        for (double y = 0; y <= yTop + yStep / 2; y += yStep) {
            svg.append(gridLine(frame, y)).append(text(LEFT - 6, frame.y(y) + 4, "end", tickLabel(y, yStep)));
        }
        for (int nine = 0; nine <= nines; nine++) {
            double x = frame.x(nine);
            svg.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#e5e5e5'/>", x, TOP, x,
                    height - BOTTOM));
            svg.append(text(x, height - BOTTOM + 16, "middle", nineLabel(nine)));
        }
        svg.append(text(LEFT + (width - LEFT - RIGHT) / 2.0, height - 8, "middle", "percentile"));
        svg.append(String.format(Locale.ROOT,
                "<text x='14' y='%.1f' font-size='11' text-anchor='middle' transform='rotate(-90 14 %.1f)'>ms</text>",
                (TOP + height - BOTTOM) / 2.0, (TOP + height - BOTTOM) / 2.0));
        int legend = 0;
        for (Series line : series) {
            StringBuilder path = new StringBuilder();
            for (PercentilePoint point : line.points()) {
                path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f",
                        frame.x(Math.min(nines, tailPosition(point.percentile()))), frame.y(point.latencyMs())));
            }
            svg.append("<path d='").append(path).append("' fill='none' stroke='").append(line.color())
                    .append("' stroke-width='1.8'><title>").append(Html.escape(line.name())).append("</title></path>");
            if (series.size() > 1 && legend < 2 * LEGEND_PER_ROW) {
                legendEntry(svg, title, legend++, line.name(), line.color());
            }
        }
        return svg.append(axes(frame)).append("</svg>").toString();
    }

    /** One line of a chart over time: {@code values[i]} at second {@code seconds[i]}. */
    record TimeLine(String name, String color, int[] seconds, double[] values) {}

    /** Lines over the run's seconds (x) of a value (y: {@code unit}), e.g. p99 per second by market. */
    static String timeChart(String title, String unit, List<TimeLine> lines, int width, int height) {
        double yMax = 0;
        int xMax = 1;
        for (TimeLine line : lines) {
            for (int i = 0; i < line.values().length; i++) {
                yMax = Math.max(yMax, line.values()[i]);
                xMax = Math.max(xMax, line.seconds()[i] + 1);
            }
        }
        double yStep = niceStep(yMax / 5);
        double yTop = Math.max(yStep, Math.ceil(yMax / yStep) * yStep);
        double xStep = Math.max(1, niceStep(xMax / 10.0));
        Frame frame = new Frame(width, height, xMax, yTop);
        StringBuilder svg = open(title, width, height);
        for (double y = 0; y <= yTop + yStep / 2; y += yStep) {
            svg.append(gridLine(frame, y)).append(text(LEFT - 6, frame.y(y) + 4, "end", tickLabel(y, yStep)));
        }
        for (double x = 0; x <= xMax; x += xStep) {
            svg.append(text(frame.x(x), height - BOTTOM + 16, "middle", tickLabel(x, xStep)));
        }
        svg.append(text(LEFT + (width - LEFT - RIGHT) / 2.0, height - 8, "middle", "second of the run"));
        svg.append(String.format(Locale.ROOT,
                "<text x='14' y='%.1f' font-size='11' text-anchor='middle' transform='rotate(-90 14 %.1f)'>%s</text>",
                (TOP + height - BOTTOM) / 2.0, (TOP + height - BOTTOM) / 2.0, Html.escape(unit)));
        int legend = 0;
        for (TimeLine line : lines) {
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < line.values().length; i++) {
                path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f",
                        frame.x(line.seconds()[i] + 0.5), frame.y(line.values()[i])));
            }
            svg.append("<path d='").append(path).append("' fill='none' stroke='").append(line.color())
                    .append("' stroke-width='1.5'><title>").append(Html.escape(line.name())).append("</title></path>");
            if (lines.size() > 1 && legend < 2 * LEGEND_PER_ROW) {
                legendEntry(svg, title, legend++, line.name(), line.color());
            }
        }
        return svg.append(axes(frame)).append("</svg>").toString();
    }

    /** Where a chart's legend starts: after its title (bold 13 px text, about 7.5 px a character). */
    static double legendStart(String title) {
        return LEFT + Math.max(160, title.length() * 7.5 + 24);
    }

    /** The {@code index}th legend entry of a chart: a colour swatch and a name, in rows after the title. */
    private static void legendEntry(StringBuilder svg, String title, int index, String name, String color) {
        double lx = legendStart(title) + (index % LEGEND_PER_ROW) * 56;
        double ly = 16 + (index / LEGEND_PER_ROW) * 14;
        svg.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='10' height='10' fill='%s'/>", lx, ly - 9, color));
        svg.append(text(lx + 14, ly, "start", name));
    }

    /** p50 and p99 side by side for every group, with the values written above the bars. */
    static String barChart(String title, List<GroupReport> groups, int width, int height) {
        double yMax = groups.stream().mapToDouble(group -> group.latency().p99()).max().orElse(0);
        double yStep = niceStep(yMax / 5);
        double yTop = Math.max(yStep, Math.ceil(yMax / yStep) * yStep);
        Frame frame = new Frame(width, height, 1, yTop);
        StringBuilder svg = open(title, width, height);
        for (double y = 0; y <= yTop + yStep / 2; y += yStep) {
            svg.append(gridLine(frame, y)).append(text(LEFT - 6, frame.y(y) + 4, "end", tickLabel(y, yStep)));
        }
        double slot = (double) (width - LEFT - RIGHT) / Math.max(1, groups.size());
        double bar = Math.min(36, slot / 3);
        for (int i = 0; i < groups.size(); i++) {
            GroupReport group = groups.get(i);
            double center = LEFT + slot * (i + 0.5);
            svg.append(bar(frame, center - bar, bar, group.latency().p50(), "#9ecae1", group.name() + " p50"));
            svg.append(bar(frame, center, bar, group.latency().p99(), "#08519c", group.name() + " p99"));
            svg.append(text(center, height - BOTTOM + 16, "middle", group.name()));
        }
        svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='10' height='10' fill='#9ecae1'/>", width - 150, 8));
        svg.append(text(width - 136, 17, "start", "p50"));
        svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='10' height='10' fill='#08519c'/>", width - 100, 8));
        svg.append(text(width - 86, 17, "start", "p99 (ms)"));
        return svg.append(axes(frame)).append("</svg>").toString();
    }

    /** A y-axis label: as many decimals as the step needs, no more. */
    static String tickLabel(double value, double step) {
        int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** Where percentile {@code p} sits on the tail axis: 0 at 0%, 1 at 90%, 2 at 99%, and so on. */
    static double tailPosition(double percentile) {
        double remaining = 1 - percentile / 100;
        return remaining <= 0 ? Double.MAX_VALUE : Math.log10(1 / remaining);
    }

    /** A round step (1, 2 or 5 times a power of ten) at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double factor : new double[] {1, 2, 5, 10}) {
            if (factor * magnitude >= raw) {
                return factor * magnitude;
            }
        }
        return 10 * magnitude;
    }

    static String nineLabel(int nines) {
        if (nines == 0) {
            return "0%";
        }
        return nines == 1 ? "90%" : "99" + (nines > 2 ? "." + "9".repeat(nines - 2) : "") + "%";
    }

    /** The plot area: maps x (tail position or slot) and y (ms) to pixels. */
    private record Frame(int width, int height, double xMax, double yMax) {
        double x(double value) {
            return LEFT + value / xMax * (width - LEFT - RIGHT);
        }

        double y(double ms) {
            return height - BOTTOM - ms / yMax * (height - TOP - BOTTOM);
        }
    }

    private static StringBuilder open(String title, int width, int height) {
        return new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 %d %d' width='%d' height='%d' role='img' "
                        + "aria-label='%s' font-family='sans-serif'>",
                width, height, width, height, Html.escape(title)))
                .append(String.format(Locale.ROOT, "<text x='%d' y='16' font-size='13' font-weight='bold'>%s</text>", LEFT,
                        Html.escape(title)));
    }

    private static String gridLine(Frame frame, double y) {
        return String.format(Locale.ROOT, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#e5e5e5'/>", LEFT, frame.y(y),
                frame.width() - RIGHT, frame.y(y));
    }

    private static String axes(Frame frame) {
        return String.format(Locale.ROOT, "<path d='M%d %d L%d %d L%d %d' fill='none' stroke='#333'/>", LEFT, TOP, LEFT,
                frame.height() - BOTTOM, frame.width() - RIGHT, frame.height() - BOTTOM);
    }

    private static String bar(Frame frame, double x, double width, double ms, String color, String label) {
        double top = frame.y(ms);
        return String.format(Locale.ROOT,
                "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'><title>%s: %s ms</title></rect>", x, top, width,
                frame.y(0) - top, color, Html.escape(label), Reports.millis(ms))
                + text(x + width / 2, top - 3, "middle", Reports.millis(ms));
    }

    private static String text(double x, double y, String anchor, String content) {
        return String.format(Locale.ROOT, "<text x='%.1f' y='%.1f' font-size='11' text-anchor='%s'>%s</text>", x, y, anchor,
                Html.escape(content));
    }
}
