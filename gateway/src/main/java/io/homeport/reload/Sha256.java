package io.homeport.reload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a file, in the same lower-case hex the rules loader records. */
final class Sha256 {

    private static final int SHORT_LENGTH = 12;

    private Sha256() {}

    /** Streams {@code file} through the digest: a GeoIP database may be tens of megabytes. */
    static String of(Path file) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The first 12 hex digits, enough to tell versions apart in a log line; "none" for null. */
    static String abbreviate(String sha256) {
        if (sha256 == null) {
            return "none";
        }
        return sha256.length() <= SHORT_LENGTH ? sha256 : sha256.substring(0, SHORT_LENGTH);
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
