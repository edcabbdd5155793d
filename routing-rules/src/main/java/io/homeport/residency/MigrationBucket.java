package io.homeport.residency;

import io.homeport.rules.Migration;
import java.net.InetAddress;

/**
 * Sticky migration buckets.
 *
 * <p>Implementation notes: every user id (or, for anonymous requests, client address) falls into
 * one of {@value #BUCKETS} buckets by a {@link StableHash} of it alone. A migration at {@code p}
 * basis points moves exactly the buckets below {@code p}. Hence:
 * <ul>
 *   <li>sticky: the same id always lands in the same bucket, in every process and every release;
 *   <li>monotonic: raising a migration's percent only adds buckets, so nobody moves back;
 *   <li>rename-proof: the bucket does not depend on the migration's name, so renaming
 *       {@code india-phase-1} to {@code india-phase-2} while raising the share moves no one back.
 * </ul>
 */
public final class MigrationBucket {

    /** One bucket per basis point: shares as fine as 0.01% are exact. */
    public static final int BUCKETS = Migration.ALL;

    private MigrationBucket() {}

    public static int of(CharSequence userId) {
        return bucket(StableHash.of(userId));
    }

    /** The bucket of a user id whose {@link StableHash} the caller already has. */
    public static int ofHash(long userIdHash) {
        return bucket(userIdHash);
    }

    public static int of(InetAddress clientAddress) {
        return bucket(StableHash.of(clientAddress.getAddress()));
    }

    /** The bucket of an IPv4 client address, without allocating; equal to {@code of(InetAddress)} for it. */
    public static int ofIpv4(int clientAddress) {
        return bucket(StableHash.ofIpv4(clientAddress));
    }

    /** The bucket of an IPv6 client address given as its 128 bits, without allocating; equal to {@code of(InetAddress)} for it. */
    public static int ofIpv6(long high, long low) {
        return bucket(StableHash.ofIpv6(high, low));
    }

    /** Whether a request in {@code bucket} is moved by {@code migration} (never before it is cut over). */
    public static boolean isMoved(int bucket, Migration migration) {
        return bucket < migration.movedBasisPoints();
    }

    private static int bucket(long hash) {
        return (int) Long.remainderUnsigned(hash, BUCKETS);
    }
}
