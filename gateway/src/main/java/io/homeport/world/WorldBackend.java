package io.homeport.world;

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
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A region's backend in the world: answers every request after a fixed server time, saying who it
 * is ({@code X-World-Backend: singapore-1} and in the body), so the report can tell where each
 * request was served whatever the gateway says.
 */
public final class WorldBackend implements AutoCloseable {

    public static final String HEADER = "x-world-backend";

    private final Channel server;
    private final String name;

    private WorldBackend(Channel server, String name) {
        this.server = server;
        this.name = name;
    }

    public static WorldBackend start(String name, Transports transports, EventLoopGroup group, InetSocketAddress listen,
            Duration serverTime) throws InterruptedException {
        long serverNanos = serverTime.toNanos();
        byte[] body = (name + "\n").getBytes(StandardCharsets.US_ASCII);
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(transports.serverChannel())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                        boolean keepAlive = HttpUtil.isKeepAlive(request);
                                        ctx.executor().schedule(() -> answer(ctx, keepAlive, name, body), serverNanos, TimeUnit.NANOSECONDS);
                                    }
                                });
                    }
                })
                .bind(listen).sync().channel();
        return new WorldBackend(server, name);
    }

    private static void answer(ChannelHandlerContext ctx, boolean keepAlive, String name, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HEADER, name);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
    }
}
