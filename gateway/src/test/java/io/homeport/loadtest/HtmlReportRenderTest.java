package io.homeport.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.it.OperatorTool;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report as a browser draws it: headless Chromium (Debian's chromium, which
 * {@code .ci/install-test-tools.sh} installs) renders it to a PNG, and the picture must show the
 * charts: each market's colour is drawn, and the page is not blank. Without Chromium the test is
 * skipped on a developer's machine and fails under CI.
 */
class HtmlReportRenderTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final long START = TimeUnit.SECONDS.toNanos(100);

    @TempDir
    Path directory;

    @Test
    void chromiumDrawsTheReportsCharts() throws Exception {
        OperatorTool.requireInstalled(CHROMIUM, "Debian package chromium");
        Path html = directory.resolve("report.html");
        HtmlReport.write(report(), html);
        Path png = directory.resolve("report.png");
        Process chromium = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--window-size=1000,2600", "--screenshot=" + png, html.toUri().toString())
                .redirectErrorStream(true).redirectOutput(directory.resolve("chromium.log").toFile()).start();
        assertThat(chromium.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(png).as(Files.readString(directory.resolve("chromium.log"))).exists();

        // Kept for a person to look at: gateway/target/loadtest-report-render.png.
        Files.copy(png, Path.of("target/loadtest-report-render.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1000);
        long inked = 0;
        long[] marketColours = new long[2];
        int[] palette = {rgb(SvgCharts.color(0)), rgb(SvgCharts.color(1))};
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int pixel = image.getRGB(x, y) & 0xffffff;
                if (pixel != 0xffffff) {
                    inked++;
                }
                for (int i = 0; i < palette.length; i++) {
                    if (pixel == palette[i]) {
                        marketColours[i]++;
                    }
                }
            }
        }
        assertThat(inked).as("the page is drawn, not blank").isGreaterThan(image.getWidth() * image.getHeight() / 100L);
        assertThat(marketColours[0]).as("the first market's bars and lines").isGreaterThan(500);
        assertThat(marketColours[1]).as("the second market's").isGreaterThan(500);
    }

    private static int rgb(String hex) {
        return Integer.parseInt(hex.substring(1), 16);
    }

    /** Two markets over three seconds, with a spread of latencies. */
    private static LoadReport report() {
        MarketMix mix = MarketMix.parse("CN=60,IN=40");
        ResultRecorder recorder = new ResultRecorder(mix, START);
        List<Client> clients = new ArrayList<>(List.of(new Client("CN", "1.2.4.8", null, "beijing"),
                new Client("IN", "1.6.0.1", null, "us")));
        for (int i = 0; i < 3000; i++) {
            Client client = clients.get(i % 2);
            long intended = START + TimeUnit.MILLISECONDS.toNanos(i);
            long latency = TimeUnit.MILLISECONDS.toNanos(client.market().equals("CN") ? 20 + i % 50 : 120 + i % 200);
            recorder.accept(Completion.response(new PlannedRequest(intended, client), 200, client.expectedRegion(), intended + latency));
        }
        LoadReport.Run run = new LoadReport.Run(Instant.parse("2026-01-01T00:00:00Z"), "http://127.0.0.1:8080/", "open model, 1000 req/s",
                0, 3, 8, mix.toString(), false, "rules.yaml", "demo db", new LoadModel.FixedRate(1000), mix, false, 16);
        return new LoadReport(run, 3, recorder.total(), recorder.markets(), recorder.regions(), recorder.series());
    }
}
