package io.homeport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Ending a connection whose answer is still queued: a client that reads slowly must still get every
 * byte. Netty's plain {@code close()} cuts such an answer (shown here, on each transport, so that the
 * difference is the helper's and not the test's); {@link Closing#afterWrites} does not.
 */
class ClosingTest {

    /** Far more than the socket buffers (a 16 KB send buffer, a 16 KB receive buffer) take. */
    static final int ANSWER = 2 << 20;

    @ParameterizedTest
    @EnumSource(Transports.Kind.class)
    void afterWritesDeliversEverythingWrittenBeforeTheClose(Transports.Kind kind) throws Exception {
        if (!kind.isAvailable()) {
            return; // e.g. io_uring in a sandbox that forbids it
        }
        Reading reading = read(kind, Closing::afterWrites);
        assertThat(reading.bytes()).isEqualTo(ANSWER);
        assertThat(reading.ended()).as("then the connection ends").isTrue();
    }

    @ParameterizedTest
    @EnumSource(Transports.Kind.class)
    void aPlainCloseCutsWhatIsStillQueued(Transports.Kind kind) throws Exception {
        if (!kind.isAvailable()) {
            return;
        }
        // Cut short, or, with io_uring, neither sent nor closed while its write was pending.
        assertThat(read(kind, ChannelHandlerContext::close).bytes()).isLessThan(ANSWER);
    }

    /** What a client read: how many bytes, and whether the connection then ended (rather than going quiet for 2 s). */
    record Reading(long bytes, boolean ended) {}

    /** What a client reads when the server writes the answer, ends the connection with {@code close}, and the client reads only then. */
    private static Reading read(Transports.Kind kind, Consumer<ChannelHandlerContext> close) throws Exception {
        Transports transports = Transports.of(kind);
        EventLoopGroup group = transports.newGroup(1, "closing-test");
        try {
            Channel server = new ServerBootstrap().group(group).channel(transports.serverChannel())
                    .childOption(ChannelOption.SO_SNDBUF, 16 * 1024)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[ANSWER]));
                            close.accept(ctx); // in the same turn of the loop: the answer is queued, not sent
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(16 * 1024);
                client.setSoTimeout(2_000);
                client.connect(server.localAddress());
                Thread.sleep(200); // the server has written and asked to close before the client reads
                long total = 0;
                byte[] buffer = new byte[64 * 1024];
                InputStream in = client.getInputStream();
                try {
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        total += n;
                    }
                } catch (SocketTimeoutException quiet) {
                    return new Reading(total, false);
                } catch (SocketException reset) {
                    // a cut connection may end with a reset instead of an end of stream
                }
                return new Reading(total, true);
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
