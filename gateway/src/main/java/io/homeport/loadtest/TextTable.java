package io.homeport.loadtest;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table: a header row, data rows, columns as wide as their widest cell; numbers right-aligned. */
final class TextTable {

    private final List<String[]> rows = new ArrayList<>();
    private final boolean[] rightAligned;

    /** {@code header} names the columns; a name ending in {@code ">"} is right-aligned (the marker is dropped). */
    TextTable(String... header) {
        rightAligned = new boolean[header.length];
        String[] names = new String[header.length];
        for (int i = 0; i < header.length; i++) {
            rightAligned[i] = header[i].endsWith(">");
            names[i] = rightAligned[i] ? header[i].substring(0, header[i].length() - 1) : header[i];
        }
        rows.add(names);
    }

    TextTable row(String... cells) {
        if (cells.length != rightAligned.length) {
            throw new IllegalArgumentException("cells: " + cells.length + " (expected: " + rightAligned.length + ")");
        }
        rows.add(cells);
        return this;
    }

    String render() {
        int[] widths = new int[rightAligned.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                String padding = " ".repeat(widths[i] - row[i].length());
                line.append(i == 0 ? "" : "  ").append(rightAligned[i] ? padding + row[i] : row[i] + padding);
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }
}
