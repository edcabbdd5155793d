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

    private enum State {
        HEAD, FIXED_BODY, CHUNK_SIZE, CHUNK_EXTENSION, CHUNK_SIZE_LF, CHUNK_DATA, CHUNK_CR, CHUNK_LF, TRAILERS, STOPPED,
        /** A chunked body framed in a way the decoder would read leniently (and a backend perhaps otherwise). */
        REFUSED
    }

    private final HeadLexer lexer = new HeadLexer();
    private final ArrayDeque<RawHead> heads = new ArrayDeque<>();
    private State state = State.HEAD;
    /** Body bytes left, or while in CHUNK_SIZE the chunk size read so far. */
    private long remaining;
    private int sizeDigits;
    private String refusal;

    /**
     * Follows the buffer's readable bytes; the buffer's indexes do not move. Returns false when a
     * chunked body breaks the framing RFC 9112 allows ({@link #refusal()} says how): then the
     * connection must be refused, and none of these bytes passed on.
     */
    boolean scan(ByteBuf buffer) {
        int index = buffer.readerIndex();
        int end = buffer.writerIndex();
        while (index < end && state != State.STOPPED && state != State.REFUSED) {
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
        return state != State.REFUSED;
    }

    /** Why the stream was refused, or null. */
    String refusal() {
        return refusal;
    }

    private void refuse(String why) {
        refusal = why;
        state = State.REFUSED;
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
                if (b == '\r') {
                    state = State.CHUNK_SIZE_LF;
                } else if (b == '\n') {
                    refuse("a bare LF in a chunk extension");
                }
            }
            case CHUNK_SIZE_LF -> {
                if (b == '\n') {
                    chunkLineEnded();
                } else {
                    refuse("a CR without LF after a chunk size");
                }
            }
            case CHUNK_CR -> {
                if (b == '\r') {
                    state = State.CHUNK_LF;
                } else {
                    refuse(b == '\n' ? "a bare LF after chunk data" : "chunk data longer than its chunk size");
                }
            }
            case CHUNK_LF -> {
                if (b == '\n') {
                    startChunk();
                } else {
                    refuse("a CR without LF after chunk data");
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

    /**
     * Hex digits (after optional whitespace, which the decoder skips), then CRLF, or a chunk
     * extension after {@code ;} (or whitespace before it). Anything else — {@code 5x}, {@code 0x5},
     * a size past what the decoder takes, a bare LF — is refused: read leniently, it frames the body
     * one way here and perhaps another way at a backend.
     */
    private void chunkSize(byte b) {
        int digit = Character.digit(b, 16);
        if (digit >= 0 && b < 0x7f) {
            remaining = remaining * 16 + digit;
            sizeDigits++;
            if (remaining > Integer.MAX_VALUE) {
                refuse("a chunk size past " + Integer.MAX_VALUE + " bytes");
            }
        } else if (sizeDigits > 0 && b == '\r') {
            state = State.CHUNK_SIZE_LF;
        } else if (b == '\n') {
            refuse(sizeDigits > 0 ? "a bare LF after a chunk size" : "a chunk line without a size");
        } else if (sizeDigits > 0 && (b == ';' || b == ' ' || b == '\t')) {
            state = State.CHUNK_EXTENSION;
        } else if (sizeDigits > 0 || !isWhitespace(b)) {
            refuse("a chunk size that is not hex digits");
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
