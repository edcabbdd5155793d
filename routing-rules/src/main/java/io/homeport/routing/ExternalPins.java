package io.homeport.routing;

/**
 * Pins that live outside the rules ({@code residency.users.source: redis}): what the gateway's
 * pin directory holds right now, asked without waiting. The decision stays pure: whatever must be
 * fetched was fetched before it runs.
 */
@FunctionalInterface
public interface ExternalPins {

    /** The answer when the pin cannot be known now (the store is away, the lookup failed). Compared by identity. */
    String UNAVAILABLE = new String("(pin unavailable)");

    /** Nobody has a pin: what tools without a pin store (validate, diff, rule tests) use. */
    ExternalPins NONE = userId -> null;

    /** The region {@code userId} is pinned to, null for none, or {@link #UNAVAILABLE}. */
    String pinOf(CharSequence userId);

    /**
     * The same, for a caller that has the id's {@link io.homeport.residency.StableHash.Fingerprint}
     * already (the decision computes it for the migration bucket): pins keyed by it need not hash again.
     */
    default String pinOf(CharSequence userId, long stableHash, int secondHash) {
        return pinOf(userId);
    }

    /**
     * Where the answer {@link #pinOf} gives for {@code userId} comes from ("the near-cache, read
     * from Redis 2.1 s ago"), for explanations; null when these pins cannot say.
     */
    default String origin(CharSequence userId) {
        return null;
    }
}
