package io.homeport.proxy.guard;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * Follows a connection's request bytes the way the HTTP decoder frames them, to know where each
 * request head begins: heads go through a {@link HeadLexer}, bodies are skipped (Content-Length
 * bytes, or chunks up to the end of the trailer section), and each complete head is queued as a
 * {@link RawHead}.
 *
 * <p>Implementation notes: it only has to agree with the decoder on requests the guard lets through,
 * which have one plain Content-Length or exactly {@code Transfer-Encoding: chunked}. After any other
 * head, or a chunk line the decoder refuses too, it stops: that request is refused and the
 * connection closed, so nothing after it needs reading. The queue holds at most the heads of one
 * socket read, because the guard takes each as the decoder produces its request.
 */
final class RequestStream {

    private enum State { HEAD, FIXED_BODY, CHUNK_SIZE, CHUNK_EXTENSION, CHUNK_DATA, CHUNK_CR, CHUNK_LF, TRAILERS, STOPPED }

    private final HeadLexer lexer = new HeadLexer();
    private final ArrayDeque<RawHead> heads = new ArrayDeque<>();
    private State state = State.HEAD;
    /** Body bytes left, or while in CHUNK_SIZE the chunk size read so far. */
    private long remaining;
    private int sizeDigits;

    /** Follows the buffer's readable bytes; the buffer's indexes do not move. */
    void scan(ByteBuf buffer) {
        int index = buffer.readerIndex();
        int end = buffer.writerIndex();
        while (index < end && state != State.STOPPED) {
            if (state == State.FIXED_BODY || state == State.CHUNK_DATA) {
                int skip = (int) Math.min(remaining, end - index);
                index += skip;
                remaining -= skip;
                if (remaining == 0) {
                    if (state == State.FIXED_BODY) {
                        startHead();
                    } else {
                        state = State.CHUNK_CR;
                    }
                }
            } else {
                next(buffer.getByte(index++));
            }
        }
    }

    /** The oldest head not taken yet, or null. */
    RawHead poll() {
        return heads.poll();
    }

    private void next(byte b) {
        switch (state) {
            case HEAD -> {
                if (lexer.next(b)) {
                    headEnded(lexer.result());
                }
            }
            case CHUNK_SIZE -> chunkSize(b);
            case CHUNK_EXTENSION -> {
                if (b == '\n') {
                    chunkLineEnded();
                }
            }
            case CHUNK_CR -> state = b == '\r' ? State.CHUNK_LF : State.STOPPED;
            case CHUNK_LF -> {
                if (b == '\n') {
                    startChunk();
                } else {
                    state = State.STOPPED;
                }
            }
            case TRAILERS -> {
                if (lexer.next(b)) {
                    startHead();
                }
            }
            default -> throw new IllegalStateException("state: " + state);
        }
    }

    private void headEnded(RawHead head) {
        heads.add(head);
        switch (head.framing()) {
            case NONE -> startHead();
            case FIXED -> {
                remaining = head.contentLength();
                state = State.FIXED_BODY;
            }
            case CHUNKED -> startChunk();
            default -> state = State.STOPPED;
        }
    }

    /** Hex digits after optional whitespace, ended by ';', whitespace or a control character. */
    private void chunkSize(byte b) {
        int digit = Character.digit(b, 16);
        if (b == '\n') {
            chunkLineEnded();
        } else if (digit >= 0) {
            remaining = remaining * 16 + digit;
            sizeDigits++;
            if (remaining > Integer.MAX_VALUE) {
                state = State.STOPPED; // the decoder refuses it too
            }
        } else if (sizeDigits > 0 && (b == ';' || (b & 0xff) <= ' ' || b == 0x7f)) {
            state = State.CHUNK_EXTENSION;
        } else if (sizeDigits > 0 || !isWhitespace(b)) {
            state = State.STOPPED;
        }
    }

    /** What the decoder skips before a chunk size: Java's whitespace among ASCII bytes. */
    private static boolean isWhitespace(byte b) {
        return (b >= 0x09 && b <= 0x0d) || (b >= 0x1c && b <= 0x20);
    }

    private void chunkLineEnded() {
        if (sizeDigits == 0) {
            state = State.STOPPED;
        } else if (remaining == 0) {
            lexer.startTrailers();
            state = State.TRAILERS;
        } else {
            state = State.CHUNK_DATA;
        }
    }

    private void startChunk() {
        remaining = 0;
        sizeDigits = 0;
        state = State.CHUNK_SIZE;
    }

    private void startHead() {
        lexer.startHead();
        state = State.HEAD;
    }
}
