package io.homeport.proxy.h1;

import io.netty.buffer.ByteBuf;

/**
 * Follows a chunked body byte by byte without changing it, to know where it ends: the direct path
 * passes a backend's chunks to the client as they are. Chunk extensions and trailer fields pass
 * through; a malformed chunk size or line end is an error (the response cannot be delimited).
 */
final class ChunkedFraming {

    private enum State { SIZE, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER_START, TRAILER, TRAILER_LF, LAST_LF, DONE }

    private static final int MAX_SIZE_DIGITS = 15;

    private State state = State.SIZE;
    private long size;
    private int digits;
    private long remaining;

    void reset() {
        state = State.SIZE;
        size = 0;
        digits = 0;
        remaining = 0;
    }

    boolean done() {
        return state == State.DONE;
    }

    /**
     * Consumes the body bytes at the start of {@code in}'s readable bytes (without moving its
     * reader index) and returns how many belong to this body; fewer than readable only when the body ended.
     *
     * @throws IllegalStateException when the bytes are not a valid chunked body
     */
    int consume(ByteBuf in) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        int i = start;
        while (i < end && state != State.DONE) {
            if (state == State.DATA) {
                int take = (int) Math.min(remaining, end - i);
                i += take;
                remaining -= take;
                if (remaining == 0) {
                    state = State.DATA_CR;
                }
                continue;
            }
            byte c = in.getByte(i++);
            switch (state) {
                case SIZE -> {
                    int digit = Character.digit(c, 16);
                    if (digit >= 0 && digits < MAX_SIZE_DIGITS) {
                        size = size * 16 + digit;
                        digits++;
                    } else if (digits > 0 && (c == ';' || c == ' ' || c == '\t')) {
                        state = State.EXTENSION;
                    } else if (digits > 0 && c == '\r') {
                        state = State.SIZE_LF;
                    } else {
                        throw new IllegalStateException("invalid chunk size");
                    }
                }
                case EXTENSION -> {
                    if (c == '\r') {
                        state = State.SIZE_LF;
                    } else if (c == '\n') {
                        throw new IllegalStateException("bare LF in a chunk extension");
                    }
                }
                case SIZE_LF -> {
                    expect(c, '\n');
                    if (size == 0) {
                        state = State.TRAILER_START;
                    } else {
                        remaining = size;
                        state = State.DATA;
                    }
                    size = 0;
                    digits = 0;
                }
                case DATA_CR -> {
                    expect(c, '\r');
                    state = State.DATA_LF;
                }
                case DATA_LF -> {
                    expect(c, '\n');
                    state = State.SIZE;
                }
                case TRAILER_START -> {
                    if (c == '\n' || c == ' ' || c == '\t') {
                        throw new IllegalStateException("malformed trailer section"); // bare LF, obs-fold
                    }
                    state = c == '\r' ? State.LAST_LF : State.TRAILER;
                }
                case TRAILER -> {
                    if (c == '\r') {
                        state = State.TRAILER_LF;
                    } else if (c == '\n') {
                        throw new IllegalStateException("bare LF in a trailer field");
                    }
                }
                case TRAILER_LF -> {
                    expect(c, '\n');
                    state = State.TRAILER_START;
                }
                case LAST_LF -> {
                    expect(c, '\n');
                    state = State.DONE;
                }
                default -> throw new IllegalStateException("state " + state);
            }
        }
        return i - start;
    }

    private static void expect(byte c, char wanted) {
        if (c != wanted) {
            throw new IllegalStateException("malformed chunk framing");
        }
    }
}
