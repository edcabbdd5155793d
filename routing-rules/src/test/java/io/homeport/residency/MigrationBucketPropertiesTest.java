package io.homeport.residency;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.routing.IpAddresses;
import io.homeport.rules.Migration;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The guarantees SREs rely on when they raise a migration's percent (jqwik properties). */
class MigrationBucketPropertiesTest {

    private static Migration migration(String name, int basisPoints) {
        return new Migration(name, Set.of("IN"), "singapore", basisPoints);
    }

    @Provide
    Arbitrary<String> userIds() {
        // Mostly realistic ids, plus arbitrary strings (any UTF-16, including unpaired surrogates).
        return Arbitraries.oneOf(
                Arbitraries.longs().map(n -> "u-" + n),
                Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(64),
                Arbitraries.strings());
    }

    @Property
    void bucketIsAlwaysInRange(@ForAll("userIds") String userId) {
        assertThat(MigrationBucket.of(userId)).isBetween(0, MigrationBucket.BUCKETS - 1);
    }

    @Property
    void sameIdSameBucket(@ForAll("userIds") String userId) {
        // A fresh copy and another CharSequence type: the bucket depends on the characters only.
        int bucket = MigrationBucket.of(userId);
        assertThat(MigrationBucket.of(new String(userId.toCharArray()))).isEqualTo(bucket);
        assertThat(MigrationBucket.of(new StringBuilder(userId))).isEqualTo(bucket);
    }

    @Property
    void raisingPercentNeverMovesAnyoneBack(
            @ForAll("userIds") String userId,
            @ForAll @IntRange(min = 0, max = Migration.ALL) int first,
            @ForAll @IntRange(min = 0, max = Migration.ALL) int second) {
        int bucket = MigrationBucket.of(userId);
        Migration lower = migration("phase-1", Math.min(first, second));
        Migration higher = migration("phase-2", Math.max(first, second));

        if (MigrationBucket.isMoved(bucket, lower)) {
            assertThat(MigrationBucket.isMoved(bucket, higher)).isTrue();
        }
    }

    @Property
    void movedExactlyWhenBucketIsBelowBasisPoints(
            @ForAll("userIds") String userId, @ForAll @IntRange(min = 0, max = Migration.ALL) int basisPoints) {
        int bucket = MigrationBucket.of(userId);
        assertThat(MigrationBucket.isMoved(bucket, migration("m", basisPoints))).isEqualTo(bucket < basisPoints);
    }

    @Property
    void renamingAMigrationMovesNobody(
            @ForAll("userIds") String userId,
            @ForAll @IntRange(min = 0, max = Migration.ALL) int basisPoints,
            @ForAll("names") String oldName,
            @ForAll("names") String newName) {
        int bucket = MigrationBucket.of(userId);
        assertThat(MigrationBucket.isMoved(bucket, migration(newName, basisPoints)))
                .isEqualTo(MigrationBucket.isMoved(bucket, migration(oldName, basisPoints)));
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(20);
    }

    @Property
    void zeroMovesNobodyAndHundredPercentMovesEveryone(@ForAll("userIds") String userId) {
        int bucket = MigrationBucket.of(userId);
        assertThat(MigrationBucket.isMoved(bucket, migration("m", 0))).isFalse();
        assertThat(MigrationBucket.isMoved(bucket, migration("m", Migration.ALL))).isTrue();
    }

    @Property
    void ipv4BucketIsDeterministicAndIgnoresTheMappedForm(@ForAll @Size(4) byte[] address) throws UnknownHostException {
        InetAddress ipv4 = InetAddress.getByAddress(address);
        int bucket = MigrationBucket.of(ipv4);

        assertThat(bucket).isBetween(0, MigrationBucket.BUCKETS - 1);
        assertThat(MigrationBucket.of(InetAddress.getByAddress(address.clone()))).isEqualTo(bucket);
        // ::ffff:a.b.c.d is parsed to the IPv4 address, so a client seen over a dual-stack socket keeps its bucket.
        InetAddress mapped = IpAddresses.parseLiteral("::ffff:" + ipv4.getHostAddress()).orElseThrow();
        assertThat(MigrationBucket.of(mapped)).isEqualTo(bucket);
    }

    @Property
    void ipv6BucketIsDeterministic(@ForAll @Size(16) byte[] address) throws UnknownHostException {
        InetAddress ipv6 = InetAddress.getByAddress(address);
        int bucket = MigrationBucket.of(ipv6);

        assertThat(bucket).isBetween(0, MigrationBucket.BUCKETS - 1);
        InetAddress reparsed = IpAddresses.parseLiteral("[" + ipv6.getHostAddress() + "]").orElseThrow();
        assertThat(MigrationBucket.of(reparsed)).isEqualTo(bucket);
    }
}
