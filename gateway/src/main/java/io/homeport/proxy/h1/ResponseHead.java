package io.homeport.proxy.h1;

import static io.homeport.proxy.h1.RequestHead.Names.ascii;

import io.homeport.upstream.UpstreamHttpCodec;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * An upstream response head read from the wire bytes, and the client's copy of it: the same
 * status line (as HTTP/1.1) and fields, minus hop-by-hop fields (and those Connection names) and
 * any X-Homeport-Region, plus the serving region, the request id when the backend sent none, and
 * the framing the client needs. A head this parser cannot read with certainty is malformed: the
 * client gets a 502, as from the full path.
 */
final class ResponseHead {

    enum Outcome { COMPLETE, INCOMPLETE, MALFORMED }

    /** How the body that follows this head ends. */
    enum Framing { NONE, LENGTH, CHUNKED, CLOSE }

    static final int MAX_HEAD_BYTES = UpstreamHttpCodec.MAX_RESPONSE_HEAD_BYTES;
    private static final int MAX_FIELDS = 256;

    private static final byte[] HTTP_1_1_PREFIX = ascii("HTTP/1.1 ");
    /** What every status line starts with, before the minor version. */
    private static final byte[] HTTP_1_PREFIX = ascii("HTTP/1.");
    private static final byte[] CHUNKED_CODING = ascii("chunked");
    private static final byte[] REGION = ascii("x-homeport-region: ");
    private static final byte[] REQUEST_ID = ascii("x-request-id: ");
    private static final byte[] CHUNKED = ascii("transfer-encoding: chunked\r\n");
    private static final byte[] CONNECTION_CLOSE = ascii("connection: close\r\n");
    private static final byte[] CRLF = ascii("\r\n");

    private final int[] lineStart = new int[MAX_FIELDS];
    private final int[] lineEnd = new int[MAX_FIELDS];
    private final boolean[] dropped = new boolean[MAX_FIELDS];

    int length;
    int status;
    Framing framing;
    long contentLength;
    /** The backend will close after this response, or spoke HTTP/1.0 without keep-alive. */
    boolean upstreamCloses;
    private boolean hasRequestId;
    private int statusStart;
    private int statusLineEnd;
    private int fieldCount;
    private String problem;

    String problem() {
        return problem;
    }

    /**
     * Parses the head at the start of {@code b[0, end)}.
     *
     * @param bodiless the request was HEAD: no body follows, whatever the fields say
     */
    Outcome parse(byte[] b, int end, boolean bodiless) {
        length = 0;
        fieldCount = 0;
        hasRequestId = false;
        contentLength = -1;
        upstreamCloses = false;
        problem = null;
        if (end < 12) {
            return prefixOk(b, end) ? Outcome.INCOMPLETE : malformed("not an HTTP/1.x status line");
        }
        if (!prefixOk(b, 12) || b[12 - 3] < '0' || b[12 - 3] > '9' || (end > 12 && b[12] != ' ' && b[12] != '\r')) {
            return malformed("not an HTTP/1.x status line");
        }
        boolean http10 = b[7] == '0';
        status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
        if (b[10] < '0' || b[10] > '9' || b[11] < '0' || b[11] > '9' || status < 100) {
            return malformed("invalid status code");
        }
        statusStart = 9;
        int limit = Math.min(end, MAX_HEAD_BYTES);
        int i = 12;
        while (i < limit && b[i] != '\r' && b[i] != '\n') {
            i++;
        }
        int lineEndAt = lineEnd(b, i, limit);
        if (lineEndAt < 0) {
            return lineEndAt == -1 && limit == end ? Outcome.INCOMPLETE : malformed("status line too long");
        }
        statusLineEnd = i;
        i = lineEndAt;
        boolean chunked = false;
        boolean transferEncoding = false;
        boolean keepAlive = false;
        String connectionNames = null;
        while (true) {
            if (i >= limit) {
                return limit == end ? Outcome.INCOMPLETE : malformed("response head larger than " + MAX_HEAD_BYTES + " bytes");
            }
            if (b[i] == '\r' || b[i] == '\n') {
                int after = lineEnd(b, i, limit);
                if (after < 0) {
                    return after == -1 && limit == end ? Outcome.INCOMPLETE : malformed("malformed line end");
                }
                length = after;
                break;
            }
            if (fieldCount == MAX_FIELDS) {
                return malformed("more than " + MAX_FIELDS + " header fields");
            }
            int start = i;
            while (i < limit && b[i] != ':' && b[i] != '\r' && b[i] != '\n') {
                i++;
            }
            if (i >= limit) {
                return limit == end ? Outcome.INCOMPLETE : malformed("response head too large");
            }
            if (b[i] != ':' || i == start || !isToken(b, start, i)) {
                return malformed("malformed header field"); // obs-fold, whitespace or a separator in a name
            }
            int nameEnd = i++;
            while (i < limit && (b[i] == ' ' || b[i] == '\t')) {
                i++;
            }
            int valueStart = i;
            i = RequestHead.skipVisibleWords(b, i, limit); // only bytes the loop below accepts
            while (i < limit && b[i] != '\r' && b[i] != '\n') {
                if (b[i] >= 0 && b[i] < 0x20 && b[i] != '\t') {
                    return malformed("control character in a header value");
                }
                i++;
            }
            int after = lineEnd(b, i, limit);
            if (after < 0) {
                return after == -1 && limit == end ? Outcome.INCOMPLETE : malformed("malformed line end");
            }
            int valueEnd = i;
            while (valueEnd > valueStart && (b[valueEnd - 1] == ' ' || b[valueEnd - 1] == '\t')) {
                valueEnd--;
            }
            int field = fieldCount++;
            lineStart[field] = start;
            lineEnd[field] = after;
            dropped[field] = false;
            i = after;
            switch (nameEnd - start) {
                case 14 -> {
                    if (RequestHead.equalsLowerCase(b, start, nameEnd, RequestHead.Names.CONTENT_LENGTH)) {
                        long value = digits(b, valueStart, valueEnd);
                        if (value < 0 || (contentLength >= 0 && contentLength != value)) {
                            return malformed("invalid Content-Length");
                        }
                        contentLength = value;
                    }
                }
                case 17 -> {
                    if (RequestHead.equalsLowerCase(b, start, nameEnd, RequestHead.Names.TRANSFER_ENCODING)) {
                        transferEncoding = true;
                        chunked = endsWithChunked(b, valueStart, valueEnd);
                        dropped[field] = true;
                    } else if (RequestHead.equalsLowerCase(b, start, nameEnd, RequestHead.Names.X_HOMEPORT_REGION)) {
                        dropped[field] = true;
                    }
                }
                case 10 -> {
                    if (RequestHead.equalsLowerCase(b, start, nameEnd, RequestHead.Names.CONNECTION)) {
                        dropped[field] = true;
                        // Read in place: nearly every backend sends "keep-alive" or "close" on every answer.
                        for (int t = valueStart; t < valueEnd; ) {
                            while (t < valueEnd && (b[t] == ',' || b[t] == ' ' || b[t] == '\t')) {
                                t++;
                            }
                            int tokenStart = t;
                            while (t < valueEnd && b[t] != ',' && b[t] != ' ' && b[t] != '\t') {
                                t++;
                            }
                            if (t == tokenStart) {
                                continue;
                            }
                            if (RequestHead.equalsLowerCase(b, tokenStart, t, RequestHead.Names.CLOSE)) {
                                upstreamCloses = true;
                            } else if (RequestHead.equalsLowerCase(b, tokenStart, t, RequestHead.Names.KEEP_ALIVE)) {
                                keepAlive = true;
                            } else { // a field to strip: rare, so a string is fine
                                String option = new String(b, tokenStart, t - tokenStart, StandardCharsets.ISO_8859_1);
                                connectionNames = connectionNames == null ? option : connectionNames + "," + option;
                            }
                        }
                    } else if (RequestHead.equalsLowerCase(b, start, nameEnd, RequestHead.Names.KEEP_ALIVE)) {
                        dropped[field] = true;
                    }
                }
                case 12 -> hasRequestId |= RequestHead.equalsLowerCase(b, start, nameEnd, RequestHead.Names.X_REQUEST_ID);
                case 2 -> dropped[field] = RequestHead.equalsLowerCase(b, start, nameEnd, RequestHead.Names.TE);
                case 7 -> dropped[field] = RequestHead.equalsLowerCase(b, start, nameEnd, RequestHead.Names.TRAILER)
                        || RequestHead.equalsLowerCase(b, start, nameEnd, RequestHead.Names.UPGRADE);
                case 16 -> dropped[field] = RequestHead.equalsLowerCase(b, start, nameEnd, RequestHead.Names.PROXY_CONNECTION);
                case 18 -> dropped[field] = RequestHead.equalsLowerCase(b, start, nameEnd, RequestHead.Names.PROXY_AUTHENTICATE);
                case 19 -> dropped[field] = RequestHead.equalsLowerCase(b, start, nameEnd, RequestHead.Names.PROXY_AUTHORIZATION);
                default -> { }
            }
        }
        if (connectionNames != null) {
            dropNamed(b, connectionNames);
        }
        if (http10 && !keepAlive) {
            upstreamCloses = true;
        }
        if (transferEncoding) {
            if (!chunked) {
                upstreamCloses = true; // another coding: the body ends when the backend closes
            }
            contentLength = -1; // Transfer-Encoding wins over Content-Length, which is not passed on
            dropContentLength(b);
        }
        if (bodiless || status == 204 || status == 304 || status < 200) {
            framing = Framing.NONE;
        } else if (chunked) {
            framing = Framing.CHUNKED;
        } else if (contentLength >= 0 && !transferEncoding) {
            framing = Framing.LENGTH;
        } else {
            framing = Framing.CLOSE;
            upstreamCloses = true;
        }
        return Outcome.COMPLETE;
    }

    /**
     * Writes the client's copy of the head.
     *
     * @param closeClient the client connection ends after this response
     */
    void writeForClient(byte[] b, ByteBuf out, String servingRegion, String requestId, boolean closeClient) {
        out.writeBytes(HTTP_1_1_PREFIX);
        out.writeBytes(b, statusStart, statusLineEnd - statusStart);
        out.writeBytes(CRLF);
        for (int field = 0; field < fieldCount; field++) {
            if (!dropped[field]) {
                int start = lineStart[field];
                int end = lineEnd[field];
                // Line ends are written as CRLF whatever the backend used.
                int contentEnd = b[end - 2] == '\r' ? end - 2 : end - 1;
                out.writeBytes(b, start, contentEnd - start);
                out.writeBytes(CRLF);
            }
        }
        out.writeBytes(REGION);
        out.writeCharSequence(servingRegion, StandardCharsets.US_ASCII);
        out.writeBytes(CRLF);
        if (!hasRequestId) {
            out.writeBytes(REQUEST_ID);
            out.writeCharSequence(requestId, StandardCharsets.US_ASCII);
            out.writeBytes(CRLF);
        }
        if (framing == Framing.CHUNKED || framing == Framing.CLOSE) {
            out.writeBytes(CHUNKED); // CLOSE: the gateway chunks the body, so the client connection lives on
        }
        if (closeClient) {
            out.writeBytes(CONNECTION_CLOSE);
        }
        out.writeBytes(CRLF);
    }

    private void dropNamed(byte[] b, String names) {
        for (String token : names.split(",")) {
            byte[] name = token.trim().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1);
            if (RequestHead.equalsLowerCase(name, 0, name.length, RequestHead.Names.CONTENT_LENGTH)
                    || RequestHead.equalsLowerCase(name, 0, name.length, RequestHead.Names.HOST)) {
                continue; // framing is never hop-by-hop
            }
            for (int field = 0; field < fieldCount; field++) {
                int start = lineStart[field];
                int colon = indexOf(b, start, lineEnd[field], (byte) ':');
                if (RequestHead.equalsLowerCase(b, start, colon, name)) {
                    dropped[field] = true;
                }
            }
        }
    }

    private void dropContentLength(byte[] b) {
        for (int field = 0; field < fieldCount; field++) {
            int start = lineStart[field];
            if (RequestHead.equalsLowerCase(b, start, start + 14, RequestHead.Names.CONTENT_LENGTH) && b[start + 14] == ':') {
                dropped[field] = true;
            }
        }
    }

    private static boolean isToken(byte[] b, int start, int end) {
        for (int i = start; i < end; i++) {
            if (!RequestHead.isTokenChar(b[i])) {
                return false;
            }
        }
        return true;
    }

    private Outcome malformed(String why) {
        problem = why;
        return Outcome.MALFORMED;
    }

    private static boolean prefixOk(byte[] b, int end) {
        for (int i = 0; i < Math.min(end, 9); i++) {
            if (i < 7 ? b[i] != HTTP_1_PREFIX[i] : i == 7 ? (b[i] != '0' && b[i] != '1') : b[i] != ' ') {
                return false;
            }
        }
        return true;
    }

    /** Index after the line end at {@code i} (CRLF or LF); -1 when more bytes are needed; -2 for a bare CR. */
    private static int lineEnd(byte[] b, int i, int limit) {
        if (i >= limit) {
            return -1;
        }
        if (b[i] == '\n') {
            return i + 1;
        }
        if (i + 1 >= limit) {
            return -1;
        }
        return b[i + 1] == '\n' ? i + 2 : -2;
    }

    private static boolean endsWithChunked(byte[] b, int start, int end) {
        return end - start >= 7 && RequestHead.equalsLowerCase(b, end - 7, end, CHUNKED_CODING)
                && (end - start == 7 || b[end - 8] == ',' || b[end - 8] == ' ');
    }

    private static long digits(byte[] b, int start, int end) {
        if (start == end || end - start > 18) {
            return -1;
        }
        long value = 0;
        for (int i = start; i < end; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return -1;
            }
            value = value * 10 + (b[i] - '0');
        }
        return value;
    }

    private static int indexOf(byte[] b, int start, int end, byte c) {
        for (int i = start; i < end; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return end;
    }
}
