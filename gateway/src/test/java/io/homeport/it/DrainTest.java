package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drain moves keep-alive clients on without failing them: a connection idle between requests
 * is closed at once, a request in flight is answered with {@code Connection: close}, and only
 * then does the gateway stop.
 */
class DrainTest {

    static final String GET = "GET %s HTTP/1.1\r\nHost: homeport.test\r\nX-Forwarded-For: 8.8.8.8\r\n\r\n";

    @TempDir
    Path directory;

    @Test
    void idleKeepAliveConnectionsCloseAtOnceAndAnswersInFlightSayClose() throws Exception {
        try (TestGateway gateway = new TestGateway(directory);
                RawHttp idle = new RawHttp(gateway.uri("/").getPort());
                RawHttp busy = new RawHttp(gateway.uri("/").getPort())) {
            idle.send(GET.formatted("/"));
            RawHttp.Response before = idle.read();
            assertThat(before.status()).isEqualTo(200);
            assertThat(before.header("connection")).as("kept alive before the drain").isNotEqualTo("close");

            // A request is counted out just after its answer is sent: wait for the first, then the slow one to arrive.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (gateway.homeport.inFlightRequests() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            busy.send(GET.formatted("/slow?millis=1500"));
            while (gateway.homeport.inFlightRequests() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(gateway.homeport.inFlightRequests()).isEqualTo(1);

            long drainStart = System.nanoTime();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway.homeport::close);
            assertThat(idle.isClosedByServer()).as("the idle keep-alive connection is closed").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStart))
                    .as("at once, not when the drain ends").isLessThan(1000);
            assertThat(closing).as("the request in flight holds the drain").isNotDone();

            RawHttp.Response answered = busy.read();
            assertThat(answered.status()).isEqualTo(200);
            assertThat(answered.header("connection")).as("the client is told to reconnect elsewhere").isEqualTo("close");
            assertThat(busy.isClosedByServer()).isTrue();
            closing.get(10, TimeUnit.SECONDS);
        }
    }
}
