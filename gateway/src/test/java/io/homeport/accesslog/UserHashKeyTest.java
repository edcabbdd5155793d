package io.homeport.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserHashKeyTest {

    @TempDir
    Path dir;

    @Test
    void isHmacSha256CutTo16HexDigits() {
        // HMAC-SHA256(key, "The quick brown fox jumps over the lazy dog") with a 16-byte key, computed elsewhere:
        // openssl dgst -sha256 -hmac 0123456789abcdef
        UserHashKey key = new UserHashKey("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        assertThat(key.hash("The quick brown fox jumps over the lazy dog")).isEqualTo("a3e7e77cecd85e7a");
        assertThat(key.hash("u-1001")).hasSize(16).matches("[0-9a-f]{16}").isEqualTo(key.hash("u-1001"));
        assertThat(key.hash("u-1001")).isNotEqualTo(key.hash("u-1002"));
        assertThat(key.hash("用户-1")).hasSize(16).isNotEqualTo(key.hash("用户-2"));
    }

    @Test
    void anotherKeyGivesAnotherHashSoGuessingIdsNeedsTheKey() {
        UserHashKey one = new UserHashKey("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        UserHashKey two = new UserHashKey("0123456789abcdeF".getBytes(StandardCharsets.US_ASCII));
        assertThat(one.hash("acct-00004711")).isNotEqualTo(two.hash("acct-00004711"));
        // and never the unkeyed SHA-256 the access log used to write ("1bee97acdddc9ff5" for u-1001)
        assertThat(UserHashKey.DEMO.hash("u-1001")).isNotEqualTo("1bee97acdddc9ff5");
    }

    @Test
    void aKeyFileMustHoldAtLeast16Bytes() throws IOException {
        Path shortKey = Files.writeString(dir.resolve("short.key"), "tooshort");
        assertThatThrownBy(() -> UserHashKey.read(shortKey)).isInstanceOf(IOException.class)
                .hasMessageContaining("a user hash key of 8 bytes (expected: at least 16");
        Path good = Files.write(dir.resolve("user-hash.key"), new byte[32]);
        assertThat(UserHashKey.read(good).hash("x")).hasSize(16);
    }
}
