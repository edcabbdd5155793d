package io.homeport.reload;

import java.util.Objects;

/**
 * The one place the serving configuration lives. Requests read it once, with one volatile read,
 * and keep that reference for their whole life, so a reload never changes a request half-way.
 */
public final class SnapshotHolder {

    private volatile ServingConfig current;

    public SnapshotHolder(ServingConfig initial) {
        this.current = Objects.requireNonNull(initial, "initial");
    }

    public ServingConfig current() {
        return current;
    }

    /** Installs {@code next}; returns the configuration it replaced. */
    public ServingConfig swap(ServingConfig next) {
        ServingConfig previous = current;
        current = Objects.requireNonNull(next, "next");
        return previous;
    }
}
