package io.homeport.loadtest;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Reads responses for an {@link HttpConnection}: the status and region header from the head, the
 * end from the last content. Bodies are released unread; the load tester only needs to know when
 * a response is complete.
 */
final class ResponseReader extends SimpleChannelInboundHandler<HttpObject> {

    /** The pipeline of a load-test connection: HTTP/1.1 client codec, then this reader. */
    static final class Initializer extends ChannelInitializer<Channel> {
        private final HttpConnection connection;

        Initializer(HttpConnection connection) {
            this.connection = connection;
        }

        @Override
        protected void initChannel(Channel channel) {
            channel.pipeline().addLast(new HttpClientCodec(), new ResponseReader(connection));
        }
    }

    private final HttpConnection connection;

    ResponseReader(HttpConnection connection) {
        this.connection = connection;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
        if (message.decoderResult().isFailure()) {
            ctx.close(); // a response we cannot parse: the request ends as a connection error
            return;
        }
        if (message instanceof HttpResponse response) {
            connection.responseHead(ctx.channel(), response);
        }
        if (message instanceof LastHttpContent) {
            connection.responseEnd(ctx.channel());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        connection.channelClosed(ctx.channel());
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
