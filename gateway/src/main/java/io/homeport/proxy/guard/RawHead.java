package io.homeport.proxy.guard;

/**
 * What a request head looked like on the wire, before the HTTP decoder normalized it: the decoder
 * joins obs-fold continuation lines into the previous value and drops a Content-Length that sits
 * beside {@code Transfer-Encoding: chunked}, so neither can be seen in the decoded request.
 *
 * @param obsFold a header line began with a space or tab (obsolete line folding)
 * @param contentLengthFields how many Content-Length fields the head had
 * @param transferEncodingFields how many Transfer-Encoding fields the head had
 * @param contentLength the value of the one Content-Length field, or -1 if absent or not plain digits
 * @param chunked the one Transfer-Encoding field is exactly {@code chunked}
 * @param versionNotUpperCase the request line's version is {@code HTTP/...} in another case, such as
 *     {@code http/1.1}: the decoder upper-cases it, but RFC 9112's HTTP-name is case-sensitive
 */
public record RawHead(boolean obsFold, int contentLengthFields, int transferEncodingFields, long contentLength,
        boolean chunked, boolean versionNotUpperCase) {

    public RawHead(boolean obsFold, int contentLengthFields, int transferEncodingFields, long contentLength, boolean chunked) {
        this(obsFold, contentLengthFields, transferEncodingFields, contentLength, chunked, false);
    }

    /** How the body after this head is framed, as the decoder frames requests the guard accepts. */
    enum Framing { NONE, FIXED, CHUNKED, UNKNOWN }

    Framing framing() {
        if (obsFold || contentLengthFields > 1 || transferEncodingFields > 1
                || (contentLengthFields > 0 && transferEncodingFields > 0)) {
            return Framing.UNKNOWN;
        }
        if (transferEncodingFields == 1) {
            return chunked ? Framing.CHUNKED : Framing.UNKNOWN;
        }
        if (contentLengthFields == 1) {
            return contentLength < 0 ? Framing.UNKNOWN : contentLength == 0 ? Framing.NONE : Framing.FIXED;
        }
        return Framing.NONE;
    }
}
