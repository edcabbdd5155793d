package io.homeport.world;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.netty.Transports;
import io.netty.channel.EventLoopGroup;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The delay link on real loopback sockets: every byte arrives, in order, no sooner than the delay. */
class DelayLinkTest {

    @Test
    void bytesCrossBothWaysInOrderAndARoundTripTakesAtLeastTwiceTheOneWayTime() throws Exception {
        Transports transports = Transports.best();
        EventLoopGroup group = transports.newGroup(1, "delay-link-test");
        try (ServerSocket echo = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (Socket peer = echo.accept()) {
                    peer.getInputStream().transferTo(peer.getOutputStream());
                } catch (Exception ignored) {
                    // the test ends the connection
                }
            });
            server.setDaemon(true);
            server.start();
            DelayLink link = DelayLink.start("test", transports, group, new InetSocketAddress("127.0.0.1", 0),
                    (InetSocketAddress) echo.getLocalSocketAddress(), Duration.ofMillis(40));
            try (Socket client = new Socket()) {
                client.connect(link.address(), 2_000);
                client.setSoTimeout(10_000);
                byte[] sent = new byte[3 << 20]; // larger than socket buffers: crosses in many pieces
                new Random(7).nextBytes(sent);
                OutputStream out = client.getOutputStream();
                InputStream in = client.getInputStream();
                long start = System.nanoTime();
                Thread writer = new Thread(() -> {
                    try {
                        out.write(sent);
                    } catch (Exception ignored) {
                        // reported by the reader
                    }
                });
                writer.start();
                byte[] received = in.readNBytes(sent.length);
                long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                writer.join(10_000);
                assertThat(received).isEqualTo(sent);
                assertThat(elapsedMillis).isGreaterThanOrEqualTo(80);
            } finally {
                link.close();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
