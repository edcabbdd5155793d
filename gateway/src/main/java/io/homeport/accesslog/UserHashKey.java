package io.homeport.accesslog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key of the user-id hash in access logs: HMAC-SHA-256, cut to 16 hex digits. An unkeyed hash
 * of a guessable id ({@code acct-00004711}) is reversed by hashing guesses; a keyed one is not,
 * without the key. Every gateway of a fleet uses the same key file, so one user's lines still join
 * across the fleet ({@code audit.user_hash_key_file}).
 */
public final class UserHashKey {

    /** The shortest key accepted: 128 bits. */
    public static final int MIN_KEY_BYTES = 16;

    /**
     * The demo's key: published in this source, so it protects nothing; {@code homeport run} refuses
     * to start without a key file of its own.
     */
    public static final UserHashKey DEMO = new UserHashKey("homeport demo: not a secret".getBytes(StandardCharsets.US_ASCII));

    private final SecretKeySpec key;
    /** One Mac per thread: a Mac is not thread-safe, and making one costs more than a hash. */
    private final ThreadLocal<Mac> macs;

    public UserHashKey(byte[] key) {
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("a user hash key of " + key.length + " bytes (expected: at least "
                    + MIN_KEY_BYTES + ")");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /** Reads a key file: its bytes are the key (e.g. {@code head -c 32 /dev/urandom > user-hash.key}). */
    public static UserHashKey read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < MIN_KEY_BYTES) {
            throw new IOException(file + ": a user hash key of " + bytes.length + " bytes (expected: at least "
                    + MIN_KEY_BYTES + "; make one with: head -c 32 /dev/urandom > " + file.getFileName() + ")");
        }
        return new UserHashKey(bytes);
    }

    /** The first 16 hex digits of HMAC-SHA-256(key, UTF-8 of {@code userId}). */
    public String hash(String userId) {
        return text(hash64(userId));
    }

    /** The same hash as a number: its first 8 bytes, big-endian. */
    public long hash64(String userId) {
        byte[] digest = macs.get().doFinal(userId.getBytes(StandardCharsets.UTF_8));
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = value << 8 | (digest[i] & 0xff);
        }
        return value;
    }

    /** {@link #hash64} as the 16 hex digits of {@link #hash}. */
    public static String text(long hash) {
        return HexFormat.of().toHexDigits(hash);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
        }
    }
}
