package io.homeport.proxy.guard;

import java.util.Locale;

/**
 * Reads one request head, or one trailer section, a byte at a time and the way the HTTP decoder
 * splits it: control characters and spaces before the request line are skipped, lines end at LF (a
 * CR before it is dropped), and an empty line ends the head. It keeps only what {@link RawHead}
 * reports; judging the rest is the decoder's job.
 */
final class HeadLexer {

    /** A plain Content-Length or Transfer-Encoding value is short; a longer one is not plain. */
    private static final int MAX_VALUE_CHARS = 64;
    private static final int MAX_NAME_CHARS = 32;

    private enum State { SKIP_CONTROL, REQUEST_LINE, LINE_START, LINE_CR, NAME, VALUE, SKIP_LINE }

    private enum Field { CONTENT_LENGTH, TRANSFER_ENCODING, OTHER }

    private final StringBuilder name = new StringBuilder(MAX_NAME_CHARS);
    /** The request line's current token: at its end, the version. */
    private final StringBuilder token = new StringBuilder(MAX_NAME_CHARS);
    private boolean versionNotUpperCase;
    private final StringBuilder value = new StringBuilder(MAX_VALUE_CHARS);
    private State state;
    private Field field;
    private boolean valueTooLong;
    private boolean obsFold;
    private int contentLengthFields;
    private int transferEncodingFields;
    private long contentLength;
    private boolean chunked;

    HeadLexer() {
        startHead();
    }

    void startHead() {
        reset(State.SKIP_CONTROL);
    }

    /** A trailer section: header lines up to an empty line, without a request line. */
    void startTrailers() {
        reset(State.LINE_START);
    }

    private void reset(State first) {
        state = first;
        obsFold = false;
        contentLengthFields = 0;
        transferEncodingFields = 0;
        contentLength = -1;
        chunked = false;
        versionNotUpperCase = false;
    }

    /** {@code http/1.1} or {@code Http/1.1}: an HTTP-name in another case than the one RFC 9112 allows. */
    private void endRequestLine() {
        versionNotUpperCase = token.length() >= 5 && token.substring(0, 5).equalsIgnoreCase("HTTP/")
                && !token.substring(0, 5).equals("HTTP/");
    }

    /** Takes the next byte; true when it was the end of the head. */
    boolean next(byte b) {
        switch (state) {
            case SKIP_CONTROL -> {
                if ((b & 0xff) > ' ' && b != 0x7f) {
                    state = State.REQUEST_LINE;
                    token.setLength(0);
                    token.append((char) b);
                }
            }
            case REQUEST_LINE -> {
                if (b == '\n') {
                    endRequestLine();
                    state = State.LINE_START;
                } else if (b == ' ' || b == '\t') {
                    token.setLength(0); // the version is the request line's last token
                } else if (b != '\r' && token.length() < MAX_NAME_CHARS) {
                    token.append((char) (b & 0xff));
                }
            }
            case LINE_START -> {
                if (b == '\n') {
                    return true;
                }
                if (b == '\r') {
                    state = State.LINE_CR;
                } else if (b == ' ' || b == '\t') {
                    obsFold = true; // a continuation of the previous field (or whitespace before the first)
                    state = State.SKIP_LINE;
                } else {
                    name.setLength(0);
                    name.append((char) b);
                    state = State.NAME;
                }
            }
            case LINE_CR -> {
                if (b == '\n') {
                    return true;
                }
                state = State.SKIP_LINE; // a line that starts with a CR: the decoder refuses it
            }
            case NAME -> {
                if (b == ':') {
                    startValue();
                } else if (b == '\n') {
                    state = State.LINE_START; // no colon: the decoder refuses it
                } else if (name.length() < MAX_NAME_CHARS) {
                    name.append((char) b);
                }
            }
            case VALUE -> {
                if (b == '\n') {
                    endValue();
                    state = State.LINE_START;
                } else if (field != Field.OTHER && !(value.length() == 0 && (b == ' ' || b == '\t'))) {
                    if (value.length() < MAX_VALUE_CHARS) {
                        value.append((char) (b & 0xff));
                    } else {
                        valueTooLong = true;
                    }
                }
            }
            case SKIP_LINE -> state = b == '\n' ? State.LINE_START : State.SKIP_LINE;
            default -> throw new IllegalStateException("state: " + state);
        }
        return false;
    }

    RawHead result() {
        return new RawHead(obsFold, contentLengthFields, transferEncodingFields,
                contentLengthFields == 1 ? contentLength : -1, transferEncodingFields == 1 && chunked, versionNotUpperCase);
    }

    private void startValue() {
        String lowerName = name.toString().toLowerCase(Locale.ROOT);
        field = switch (lowerName) {
            case "content-length" -> Field.CONTENT_LENGTH;
            case "transfer-encoding" -> Field.TRANSFER_ENCODING;
            default -> Field.OTHER;
        };
        value.setLength(0);
        valueTooLong = false;
        state = State.VALUE;
    }

    private void endValue() {
        if (field == Field.OTHER) {
            return;
        }
        String text = valueTooLong ? "" : value.toString().strip();
        if (field == Field.CONTENT_LENGTH) {
            contentLengthFields++;
            contentLength = digits(text);
        } else {
            transferEncodingFields++;
            chunked = text.equalsIgnoreCase("chunked");
        }
    }

    /** Plain decimal digits, as the decoder reads a Content-Length; -1 for anything else. */
    static long digits(String text) {
        if (text.isEmpty() || text.length() > 19) {
            return -1;
        }
        long result = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9' || result > (Long.MAX_VALUE - (c - '0')) / 10) {
                return -1;
            }
            result = result * 10 + (c - '0');
        }
        return result;
    }
}
