package io.homeport.upstream;

import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseDecoder;

/**
 * The codec path's HTTP/1.1 client codec: Netty's response decoder and request encoder, told the
 * method of the request whose answer it reads next (a HEAD's answer has no body, whatever its
 * fields say), and able to tell whether it holds bytes past the answer it just decoded. A backend
 * that sends more than its answer (a body after a HEAD, a Content-Length too short) must not have
 * those bytes read as the next exchange's answer: its connection is closed, not pooled, as the
 * direct path does.
 */
public final class UpstreamHttpCodec extends CombinedChannelDuplexHandler<UpstreamHttpCodec.ResponseDecoder, HttpRequestEncoder> {

    /**
     * The largest answer head either framing reads from a backend (the direct path's too): Netty's
     * default of 8 KB of fields would make the two framings answer one backend differently.
     */
    public static final int MAX_RESPONSE_HEAD_BYTES = 64 * 1024;

    public UpstreamHttpCodec() {
        init(new ResponseDecoder(), new HttpRequestEncoder());
    }

    /** The next answer read is to a request of {@code method}. */
    public void expect(HttpMethod method) {
        inboundHandler().method = method;
    }

    /** Whether bytes past the last decoded message wait in the decoder. */
    public boolean holdsUnreadBytes() {
        return inboundHandler().unread() > 0;
    }

    static final class ResponseDecoder extends HttpResponseDecoder {

        private HttpMethod method = HttpMethod.GET;

        ResponseDecoder() {
            super(new HttpDecoderConfig().setMaxHeaderSize(MAX_RESPONSE_HEAD_BYTES));
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }

        int unread() {
            return actualReadableBytes();
        }
    }
}
