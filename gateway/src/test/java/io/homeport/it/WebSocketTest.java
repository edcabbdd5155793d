package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homeport.config.GatewayConfig;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WebSocket upgrades pass through to the home region's backend; frames flow both ways until either side closes. */
class WebSocketTest {

    static final String CHINA = "1.2.4.8";
    static final String SINGAPORE = "165.21.83.88";
    static final String UNITED_STATES = "8.8.8.8";

    @TempDir
    Path directory;

    WebSocketBackend beijing;
    EagerWebSocketServer singapore;
    TestCertificates certificates;
    TestGateway gateway;

    @BeforeEach
    void start() throws Exception {
        beijing = new WebSocketBackend("beijing", 1);
        singapore = new EagerWebSocketServer();
        certificates = new TestCertificates(directory);
        TestCertificates.Written certificate = certificates.write("localhost", "localhost");
        gateway = new TestGateway(directory, new TestGateway.Extras(
                new GatewayConfig.Tls(List.of(certificate.files())),
                Map.of("beijing", beijing.endpoint(), "singapore", singapore.endpoint())));
    }

    @AfterEach
    void stop() {
        gateway.close();
        beijing.close();
        singapore.close();
        LeakCheck.assertNoLeaks();
    }

    @Test
    void echoesMessagesBothWaysThroughTheHomeRegion() throws Exception {
        Recorder recorder = new Recorder();
        WebSocket socket = connect(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + gateway.uri("/").getPort() + "/ws"),
                CHINA, recorder);
        assertThat(recorder.texts.poll(10, TimeUnit.SECONDS)).as("sent right behind the 101").isEqualTo("hello from beijing");

        socket.sendText("hello", true).get(10, TimeUnit.SECONDS);
        assertThat(recorder.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("beijing: hello");
        for (int i = 0; i < 200; i++) {
            socket.sendText("message " + i, true).get(10, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 200; i++) {
            assertThat(recorder.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("beijing: message " + i);
        }
        byte[] payload = new byte[512 * 1024];
        new Random(7).nextBytes(payload);
        socket.sendBinary(ByteBuffer.wrap(payload), true).get(10, TimeUnit.SECONDS);
        assertThat(recorder.binaries.poll(10, TimeUnit.SECONDS)).isEqualTo(payload);

        assertThat(beijing.handshakes).hasSize(1);
        assertThat(beijing.handshakes.get(0).get("X-Homeport-Region")).isEqualTo("beijing");
        assertThat(beijing.handshakes.get(0).get("X-Forwarded-For")).startsWith(CHINA);
        assertThat(beijing.handshakes.get(0).get("X-Forwarded-Proto")).isEqualTo("http");
    }

    @Test
    void aClientCloseReachesTheBackendAndItsAnswerTheClient() throws Exception {
        Recorder recorder = new Recorder();
        WebSocket socket = connect(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + gateway.uri("/").getPort() + "/ws"),
                CHINA, recorder);
        socket.sendText("ping", true).get(10, TimeUnit.SECONDS);
        assertThat(recorder.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("hello from beijing");
        assertThat(recorder.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("beijing: ping");

        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);

        assertThat(recorder.closed.get(10, TimeUnit.SECONDS)).startsWith("1000");
        assertThat(beijing.closed.await(10, TimeUnit.SECONDS)).as("backend connection closed").isTrue();
    }

    @Test
    void aBackendCloseReachesTheClient() throws Exception {
        Recorder recorder = new Recorder();
        WebSocket socket = connect(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + gateway.uri("/").getPort() + "/ws"),
                CHINA, recorder);

        socket.sendText("bye", true).get(10, TimeUnit.SECONDS);

        assertThat(recorder.closed.get(10, TimeUnit.SECONDS)).isEqualTo("1000 bye");
        assertThat(beijing.closed.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aClientThatDropsTheConnectionClosesTheBackendConnection() throws Exception {
        Recorder recorder = new Recorder();
        WebSocket socket = connect(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + gateway.uri("/").getPort() + "/ws"),
                CHINA, recorder);
        socket.sendText("ping", true).get(10, TimeUnit.SECONDS);
        assertThat(recorder.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("hello from beijing");
        assertThat(recorder.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("beijing: ping");

        socket.abort();

        assertThat(beijing.closed.await(10, TimeUnit.SECONDS)).as("backend connection closed").isTrue();
    }

    @Test
    void worksOverTls() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(certificates.clientContext()).build();
        Recorder recorder = new Recorder();
        WebSocket socket = connect(client, URI.create("wss://localhost:" + gateway.tlsPort() + "/ws"), CHINA, recorder);

        socket.sendText("secure", true).get(10, TimeUnit.SECONDS);
        assertThat(recorder.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("hello from beijing");
        assertThat(recorder.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("beijing: secure");
        socket.sendText("bye", true).get(10, TimeUnit.SECONDS);
        assertThat(recorder.closed.get(10, TimeUnit.SECONDS)).isEqualTo("1000 bye");
        assertThat(beijing.handshakes.get(0).get("X-Forwarded-Proto")).isEqualTo("https");
    }

    @Test
    void bytesTheBackendSendsInTheSamePacketAsIts101FollowIt() throws Exception {
        Recorder recorder = new Recorder();
        WebSocket socket = connect(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + gateway.uri("/").getPort() + "/ws"),
                SINGAPORE, recorder);

        assertThat(recorder.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("early");
        socket.abort();
    }

    @Test
    void aBackendThatDoesNotUpgradeAnswersAsUsual() throws Exception {
        // The us region's backend is a plain HTTP server: it answers 200, and the handshake fails cleanly.
        assertThatThrownBy(() -> connect(HttpClient.newHttpClient(),
                URI.create("ws://127.0.0.1:" + gateway.uri("/").getPort() + "/ws"), UNITED_STATES, new Recorder()))
                .hasCauseInstanceOf(WebSocketHandshakeException.class);
        assertThat(gateway.us.last().header("Upgrade")).isEqualTo("websocket");
        assertThat(gateway.get("/after", UNITED_STATES).statusCode()).isEqualTo(200);
    }

    private static WebSocket connect(HttpClient client, URI uri, String clientIp, Recorder recorder) throws Exception {
        return client.newWebSocketBuilder().header("X-Forwarded-For", clientIp).buildAsync(uri, recorder).get(10, TimeUnit.SECONDS);
    }

    /** Collects whole messages and the close. */
    static final class Recorder implements WebSocket.Listener {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> binaries = new LinkedBlockingQueue<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        private StringBuilder text = new StringBuilder();
        private ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                texts.add(text.toString());
                text = new StringBuilder();
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                binaries.add(binary.toByteArray());
                binary = new ByteArrayOutputStream();
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }

    /**
     * A bare WebSocket server that writes its 101 and a first text frame ("early") in one write,
     * so they reach the gateway in one read: the frame must not overtake the 101.
     */
    static final class EagerWebSocketServer implements AutoCloseable {
        private final java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        private final Thread acceptor = new Thread(this::serve, "eager-websocket");

        EagerWebSocketServer() throws java.io.IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String endpoint() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (java.net.Socket socket = server.accept()) {
                    java.io.InputStream in = socket.getInputStream();
                    String head = readHead(in);
                    String key = head.lines().filter(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith("sec-websocket-key:"))
                            .map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst().orElse("");
                    String accept = java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-1")
                            .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                    byte[] answer = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    byte[] frame = {(byte) 0x81, 5, 'e', 'a', 'r', 'l', 'y'};
                    byte[] both = java.util.Arrays.copyOf(answer, answer.length + frame.length);
                    System.arraycopy(frame, 0, both, answer.length, frame.length);
                    socket.getOutputStream().write(both);
                    socket.getOutputStream().flush();
                    in.transferTo(java.io.OutputStream.nullOutputStream()); // until the gateway closes
                } catch (Exception e) {
                    // closed, or the test is over
                }
            }
        }

        private static String readHead(java.io.InputStream in) throws java.io.IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new java.io.EOFException();
                }
                head.append((char) b);
            }
            return head.toString();
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (java.io.IOException e) {
                // closing anyway
            }
        }
    }
}
