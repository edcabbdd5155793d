package io.homeport.directory;

/** A user's pin as the directory answers it: the region ({@code null}: the user has none) and where the answer came from. */
public record Pin(String region, Source source) {

    /** Where an answer came from, as {@code explain} and the access log say it. */
    public enum Source { NEAR_CACHE, STALE, REDIS }
}
