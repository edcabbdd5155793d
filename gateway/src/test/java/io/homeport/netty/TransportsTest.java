package io.homeport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class TransportsTest {

    @Test
    void bestIsTheFirstAvailableInOrder() {
        Transports.Kind expected = Arrays.stream(Transports.Kind.values()).filter(Transports.Kind::isAvailable).findFirst()
                .orElseThrow();
        assertThat(Transports.best().kind()).isEqualTo(expected);
        assertThat(Transports.Kind.EPOLL.isAvailable()).as("Linux").isTrue();
    }

    /** Each transport this machine offers carries bytes both ways over a real loopback socket. */
    @ParameterizedTest
    @EnumSource(Transports.Kind.class)
    void everyAvailableTransportEchoesOverLoopback(Transports.Kind kind) throws Exception {
        if (!kind.isAvailable()) {
            return; // e.g. io_uring in a sandbox that forbids it: auto then takes epoll
        }
        Transports transports = Transports.of(kind);
        EventLoopGroup group = transports.newGroup(1, "transports-test");
        try {
            Channel server = new ServerBootstrap().group(group).channel(transports.serverChannel())
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ctx.writeAndFlush(msg);
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            CompletableFuture<String> echoed = new CompletableFuture<>();
            StringBuilder received = new StringBuilder();
            Channel client = new Bootstrap().group(group).channel(transports.socketChannel())
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ByteBuf bytes = (ByteBuf) msg;
                                    received.append(bytes.toString(StandardCharsets.US_ASCII));
                                    bytes.release();
                                    if (received.length() >= 5) {
                                        echoed.complete(received.toString());
                                    }
                                }
                            });
                        }
                    })
                    .connect(server.localAddress()).sync().channel();
            client.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
            assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("hello");
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
