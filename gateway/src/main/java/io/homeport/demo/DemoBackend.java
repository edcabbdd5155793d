package io.homeport.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.homeport.netty.Listeners;
import io.homeport.netty.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stand-in for a region's backend: answers every request with its region's name and an echo of
 * what it received (method, URI, headers, body size), so the demo shows where a request went and
 * what the gateway told the backend. Bodies are counted as they stream, never buffered.
 */
public final class DemoBackend {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String region;
    private Channel serverChannel;

    public DemoBackend(String region) {
        this.region = region;
    }

    public InetSocketAddress start(InetSocketAddress address, Transports transports, EventLoopGroup group)
            throws Listeners.BindFailedException {
        serverChannel = Listeners.bind(new ServerBootstrap()
                .group(group)
                .channel(transports.serverChannel())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(), new HttpServerExpectContinueHandler(), new EchoHandler());
                    }
                })
                , address, "demo backend " + region);
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public void stop() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
    }

    private final class EchoHandler extends SimpleChannelInboundHandler<HttpObject> {
        private HttpRequest request;
        private long bodyBytes;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) throws Exception {
            if (msg instanceof HttpRequest head) {
                request = head;
                bodyBytes = 0;
            }
            if (msg instanceof HttpContent content) {
                bodyBytes += content.content().readableBytes();
            }
            if (msg instanceof LastHttpContent && request != null) {
                respond(ctx);
            }
        }

        private void respond(ChannelHandlerContext ctx) throws Exception {
            Map<String, Object> echo = new LinkedHashMap<>();
            echo.put("region", region);
            echo.put("method", request.method().name());
            echo.put("uri", request.uri());
            Map<String, String> headers = new TreeMap<>();
            request.headers().forEach(header -> headers.merge(header.getKey().toLowerCase(), header.getValue(), (a, b) -> a + ", " + b));
            echo.put("headers", headers);
            echo.put("body_bytes", bodyBytes);
            byte[] body = (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(echo) + "\n").getBytes();
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set("X-Demo-Region", region);
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            request = null;
            if (keepAlive) {
                ctx.writeAndFlush(response);
            } else {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
