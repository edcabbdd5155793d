package io.homeport.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The demo GeoIP database bundled in the jar: generated from gateway/geoip-fixtures/demo-networks.tsv
 * (real networks, checked against the world-wide geo-whois-asn-country database, CC BY 4.0).
 */
public final class DemoGeoIp {

    static final String RESOURCE = "/io/homeport/demo/demo-geoip.mmdb";

    private static Path extracted;

    private DemoGeoIp() {}

    /** The bundled database as a file, extracted once per process to a temporary file. */
    public static synchronized Path file() {
        if (extracted == null) {
            try (InputStream in = DemoGeoIp.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the demo GeoIP database " + RESOURCE + " is missing from the jar");
                }
                Path file = Files.createTempFile("homeport-demo-geoip-", ".mmdb");
                file.toFile().deleteOnExit();
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                extracted = file;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot extract the demo GeoIP database", e);
            }
        }
        return extracted;
    }
}
