package io.homeport.it;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A WebSocket echo server on a loopback port (Netty's WebSocketServerProtocolHandler at /ws), as a
 * region's backend. It greets each connection with "hello from region" right behind its 101; text
 * "x" is answered "region: x"; binary is echoed; text "bye" makes the server close with 1000
 * "bye". Records the handshake headers and when connections close.
 */
final class WebSocketBackend implements AutoCloseable {

    final String region;
    final List<HttpHeaders> handshakes = new CopyOnWriteArrayList<>();
    /** Counts down once per connection the server saw close, whoever closed it. */
    final CountDownLatch closed;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    WebSocketBackend(String region, int expectedConnections) throws InterruptedException {
        this.region = region;
        this.closed = new CountDownLatch(expectedConnections);
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.closeFuture().addListener(f -> closed.countDown());
                        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                                new WebSocketServerProtocolHandler("/ws", null, false, 1 << 20), new Echo());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    String endpoint() {
        return "http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    private final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete complete) {
                handshakes.add(complete.requestHeaders());
                ctx.writeAndFlush(new TextWebSocketFrame("hello from " + region)); // often in the 101's packet
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                if (text.text().equals("bye")) {
                    ctx.writeAndFlush(new CloseWebSocketFrame(1000, "bye")).addListener(ChannelFutureListener.CLOSE);
                } else {
                    ctx.writeAndFlush(new TextWebSocketFrame(region + ": " + text.text()));
                }
            } else if (frame instanceof BinaryWebSocketFrame binary) {
                ctx.writeAndFlush(new BinaryWebSocketFrame(binary.content().retain()));
            }
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
