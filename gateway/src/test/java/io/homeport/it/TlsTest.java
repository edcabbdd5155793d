package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.config.GatewayConfig;
import io.homeport.tls.TlsProvider;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS termination through the real gateway: certificates chosen by SNI, modern protocols only,
 * HTTP/1.1 over TLS, and certificates reloaded from their files without a restart. Runs with the
 * default provider (OpenSSL where it loads); {@link TlsJdkProviderTest} runs it all again on the JDK's.
 */
class TlsTest {

    static final String CHINA = "1.2.4.8";

    @TempDir
    Path directory;

    TestCertificates certificates;
    TestCertificates.Written api;
    TestCertificates.Written web;
    TestGateway gateway;

    /** The value of {@link TlsProvider#PROPERTY} while the gateway starts. */
    String provider() {
        return "";
    }

    @BeforeEach
    void start() throws Exception {
        certificates = new TestCertificates(directory);
        api = certificates.write("api", "api.example.test", "localhost");
        web = certificates.write("web", "web.example.test", "*.static.example.test");
        String previous = System.getProperty(TlsProvider.PROPERTY);
        System.setProperty(TlsProvider.PROPERTY, provider());
        try {
            gateway = new TestGateway(directory, new TestGateway.Extras(
                    new GatewayConfig.Tls(List.of(api.files(), web.files())), Map.of()));
        } finally {
            if (previous == null) {
                System.clearProperty(TlsProvider.PROPERTY);
            } else {
                System.setProperty(TlsProvider.PROPERTY, previous);
            }
        }
    }

    @AfterEach
    void stop() {
        gateway.close();
        LeakCheck.assertNoLeaks();
    }

    @Test
    void sniChoosesTheCertificateAndTheFirstIsTheDefault() throws Exception {
        assertThat(subject(presented("api.example.test"))).isEqualTo("CN=api.example.test");
        assertThat(subject(presented("web.example.test"))).isEqualTo("CN=web.example.test");
        assertThat(subject(presented("img.static.example.test"))).as("wildcard").isEqualTo("CN=web.example.test");
        assertThat(subject(presented("unknown.example.test"))).as("unknown name").isEqualTo("CN=api.example.test");
        assertThat(subject(presented(null))).as("no SNI").isEqualTo("CN=api.example.test");
    }

    @Test
    void servesHttp11OverTls() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(certificates.clientContext()).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + gateway.tlsPort() + "/hello"))
                .header("X-Forwarded-For", CHINA).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(response.headers().firstValue("X-Homeport-Region")).hasValue("beijing");
        assertThat(gateway.beijing.last().header("X-Forwarded-Proto")).isEqualTo("https");
    }

    @Test
    void servesHttp2OverTls() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .sslContext(certificates.clientContext()).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + gateway.tlsPort() + "/h2"))
                .header("X-Forwarded-For", CHINA).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.headers().firstValue("X-Homeport-Region")).hasValue("beijing");
    }

    @Test
    void clientsWithoutAlpnGetHttp11() throws Exception {
        try (SSLSocket socket = handshake("localhost")) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /no-alpn HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: " + CHINA + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(readAll(socket.getInputStream()), StandardCharsets.ISO_8859_1);

            assertThat(response).startsWith("HTTP/1.1 200").containsIgnoringCase("x-homeport-region: beijing");
        }
    }

    @Test
    void refusesTls11AndWeakCiphers() throws Exception {
        assertThat(OpenSsl.isAvailable()).as("netty-tcnative loads: the old-protocol client needs it").isTrue();
        String strong = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
        String weak = "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA";

        assertThat(handshakes("TLSv1.2", strong)).as("control: TLS 1.2 with an AEAD suite").isTrue();
        assertThat(handshakes("TLSv1.3", "TLS_AES_128_GCM_SHA256")).as("TLS 1.3").isTrue();
        assertThat(handshakes("TLSv1.1", weak)).as("TLS 1.1").isFalse();
        assertThat(handshakes("TLSv1.2", weak)).as("TLS 1.2 with a CBC suite").isFalse();
    }

    @Test
    void reloadsReplacedCertificatesAndKeepsServingWhenANewOneIsBroken() throws Exception {
        X509Certificate before = presented("api.example.test");
        TestCertificates.Written renewed = certificates.write("api", certificates.create("api.example.test", "localhost"));
        assertThat(renewed.certificate().getSerialNumber()).isNotEqualTo(before.getSerialNumber());

        awaitPresented("api.example.test", renewed.certificate());
        assertThat(subject(presented("web.example.test"))).isEqualTo("CN=web.example.test");

        // A broken certificate file, then a certificate whose key was not replaced: both refused.
        TestCertificates.replace(renewed.cert(), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        awaitReloadFailures(1);
        TestCertificates.replace(renewed.cert(), certificates.create("api.example.test").getCertificatePEM());
        awaitReloadFailures(2);

        assertThat(presented("api.example.test").getSerialNumber()).isEqualTo(renewed.certificate().getSerialNumber());
        HttpClient client = HttpClient.newBuilder().sslContext(certificates.clientContext()).build();
        assertThat(client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + gateway.tlsPort() + "/"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    private void awaitPresented(String name, X509Certificate expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!presented(name).getSerialNumber().equals(expected.getSerialNumber())) {
            assertThat(System.nanoTime()).as("new certificate served within 10 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private void awaitReloadFailures(int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reloadFailures() < count) {
            assertThat(System.nanoTime()).as("reload refused within 10 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private double reloadFailures() {
        var counter = gateway.homeport.metrics().registry().find("homeport.config.reloads")
                .tags("kind", "tls", "result", "failure").counter();
        return counter == null ? 0 : counter.count();
    }

    /** The certificate the gateway presents for {@code sniName} (none sent when null). */
    X509Certificate presented(String sniName) throws Exception {
        try (SSLSocket socket = handshake(sniName)) {
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    SSLSocket handshake(String sniName) throws Exception {
        SSLSocket socket = (SSLSocket) TestCertificates.trustingAnything().getSocketFactory()
                .createSocket("127.0.0.1", gateway.tlsPort());
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        if (sniName != null) {
            parameters.setServerNames(List.of(new SNIHostName(sniName)));
        }
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    /** Whether a client offering only {@code protocol} and {@code cipher} (OpenSSL, which still speaks TLS 1.1) gets through. */
    private boolean handshakes(String protocol, String cipher) throws Exception {
        SslContext context = SslContextBuilder.forClient()
                .sslProvider(SslProvider.OPENSSL)
                .protocols(protocol)
                .ciphers(List.of(cipher))
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            SslHandler[] handler = new SslHandler[1];
            Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            handler[0] = context.newHandler(ch.alloc(), "localhost", gateway.tlsPort());
                            ch.pipeline().addLast(handler[0], new ChannelInboundHandlerAdapter() {
                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    ctx.close(); // the refused handshakes this test expects
                                }
                            });
                        }
                    })
                    .connect("127.0.0.1", gateway.tlsPort()).sync().channel();
            boolean success = handler[0].handshakeFuture().await(10, TimeUnit.SECONDS) && handler[0].handshakeFuture().isSuccess();
            if (success) {
                assertThat(handler[0].engine().getSession().getProtocol()).isEqualTo(protocol);
            }
            channel.close().sync();
            return success;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            io.netty.util.ReferenceCountUtil.release(context);
        }
    }

    static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }

    static byte[] readAll(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }
}
