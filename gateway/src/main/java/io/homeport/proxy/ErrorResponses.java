package io.homeport.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The gateway's own answers: JSON {@code {"error": "...", "request_id": "..."}} (SPEC §4). */
public final class ErrorResponses {

    /** Seconds a client should wait before retrying a 503. */
    static final String RETRY_AFTER_SECONDS = "5";

    private ErrorResponses() {}

    public static FullHttpResponse of(ByteBufAllocator allocator, HttpResponseStatus status, String error, String requestId) {
        String json = "{\"error\":" + quote(error) + ",\"request_id\":" + quote(requestId == null ? "" : requestId) + "}\n";
        ByteBuf body = allocator.buffer(json.length());
        body.writeCharSequence(json, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (requestId != null) {
            response.headers().set(ForwardedHeaders.X_REQUEST_ID, requestId);
        }
        if (status.code() == 503) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return response;
    }

    /**
     * {@code response} as HTTP/1.1 wire bytes, for handlers that write below the HTTP encoder (the
     * direct path, the scanner before the decoder); releases {@code response}.
     */
    public static ByteBuf toHttp1(ByteBufAllocator allocator, FullHttpResponse response) {
        try {
            ByteBuf content = response.content();
            ByteBuf out = allocator.buffer(256 + content.readableBytes());
            out.writeCharSequence("HTTP/1.1 " + response.status().code() + " " + response.status().reasonPhrase() + "\r\n",
                    StandardCharsets.US_ASCII);
            for (java.util.Map.Entry<String, String> field : response.headers()) {
                out.writeCharSequence(field.getKey(), StandardCharsets.US_ASCII);
                out.writeCharSequence(": ", StandardCharsets.US_ASCII);
                out.writeCharSequence(field.getValue(), StandardCharsets.ISO_8859_1);
                out.writeCharSequence("\r\n", StandardCharsets.US_ASCII);
            }
            out.writeCharSequence("\r\n", StandardCharsets.US_ASCII);
            out.writeBytes(content, content.readerIndex(), content.readableBytes());
            return out;
        } finally {
            response.release();
        }
    }

    /** {@code text} as a JSON string literal, quotes included. Shared with the access log. */
    public static String quote(String text) {
        return appendQuoted(new StringBuilder(text.length() + 2), text).toString();
    }

    /** Appends {@code text} to {@code json} as a JSON string literal, quotes included. */
    public static StringBuilder appendQuoted(StringBuilder json, String text) {
        json.append('"');
        int clean = 0;
        while (clean < text.length() && !needsEscape(text.charAt(clean))) {
            clean++;
        }
        if (clean == text.length()) {
            return json.append(text).append('"'); // the usual case: nothing to escape, one bulk copy
        }
        json.append(text, 0, clean);
        for (int i = clean; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == '"' || c == '\\' || c == 0x2028 || c == 0x2029;
    }
}
