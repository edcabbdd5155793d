package io.homeport.server;

import io.homeport.config.GatewayConfig;
import io.homeport.net.Cidr;
import io.homeport.netty.ActivityIdleHandler;
import io.homeport.proxy.MalformedRequestHandler;
import io.homeport.proxy.ProxyContext;
import io.homeport.proxy.ProxyHandler;
import io.homeport.proxy.ProxyProtocolHandler;
import io.homeport.proxy.ProxySettings;
import io.homeport.proxy.guard.RequestGuardHandler;
import io.homeport.proxy.guard.RequestHeadScanner;
import io.homeport.proxy.guard.RequestHeadTimeoutHandler;
import io.homeport.proxy.h1.DirectHttp1Handler;
import io.homeport.tls.SniCertificates;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.SniHandler;
import java.util.List;

/**
 * Composes a client connection's pipeline; each step is one concern, in order.
 *
 * <pre>
 * cleartext:     idle, direct-http1 (plain requests); from the first other request on, in its place:
 *                http (with request guards and head timeout), flow-control, request checks, proxy
 * TLS, http/1.1: idle, SslHandler (via sni), then as cleartext
 * with proxy_protocol: proxy-protocol, proxy-protocol-source first, then as above
 * TLS, h2:       idle, SslHandler (via sni), h2, h2-streams, h2-idle
 *   each stream: h2-stream-codec, h2-request-adapter, request-guard, flow-control, request checks, proxy
 * </pre>
 */
final class ProxyInitializer extends ChannelInitializer<Channel> {

    /** Streams one HTTP/2 connection may have open at once (each gets its own proxy handler). */
    static final int HTTP2_MAX_CONCURRENT_STREAMS = 100;
    static final long TLS_HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final ProxyContext proxy;
    private final ProxySettings settings;
    private final GatewayConfig.Listener listener;
    private final ChannelGroup clients;
    /** The listener's certificates by SNI name, or null for a cleartext listener. */
    private final SniCertificates certificates;

    ProxyInitializer(ProxyContext proxy, ProxySettings settings, GatewayConfig.Listener listener, ChannelGroup clients,
            SniCertificates certificates) {
        this.proxy = proxy;
        this.settings = settings;
        this.listener = listener;
        this.clients = clients;
        this.certificates = certificates;
    }

    @Override
    protected void initChannel(Channel channel) {
        clients.add(channel); // so that shutdown can close what did not drain
        ChannelPipeline pipeline = channel.pipeline();
        if (listener.proxyProtocol()) {
            addProxyProtocol(pipeline, listener.proxyProtocolTrusted()); // before anything else, TLS included
        }
        addIdleTimeout(pipeline);
        if (certificates != null) {
            addTls(pipeline);
            addProtocolNegotiation(pipeline); // then configureHttp1 or configureHttp2, as ALPN chose
        } else {
            configureHttp1(pipeline);
        }
    }

    /**
     * HTTP/1.1 (and 1.0): one connection, one request at a time. Plain bodiless requests take the
     * direct path; the first other request hands the connection to the full pipeline for good.
     */
    private void configureHttp1(ChannelPipeline pipeline) {
        if (settings.directPath()) {
            pipeline.addLast("direct-http1", new DirectHttp1Handler(proxy, settings, listener.tls().isPresent(),
                    this::configureFullHttp1));
        } else {
            configureFullHttp1(pipeline);
        }
    }

    /** The full HTTP/1.x pipeline: every request Netty's decoder reads, judged by the guards. */
    private void configureFullHttp1(ChannelPipeline pipeline) {
        addHttpCodec(pipeline);
        addRequestGuards(pipeline);
        addRequestTimeouts(pipeline);
        addFlowControl(pipeline);
        addRequestChecks(pipeline);
        addProxy(pipeline);
    }

    /** HTTP/2: the connection carries streams; each stream is a child channel proxied like an HTTP/1.1 request. */
    private void configureHttp2(ChannelPipeline pipeline) {
        addHttp2Codec(pipeline);
        addHttp2Streams(pipeline);
        // Each stream holds its own backpressure (its flow-control window, read by its proxy
        // handler), so the connection itself reads on: a slow stream must not stall the others.
        pipeline.channel().config().setAutoRead(true);
    }

    private void configureHttp2Stream(ChannelPipeline pipeline) {
        addHttp2StreamCodec(pipeline);
        addHttp2RequestGuards(pipeline);
        addFlowControl(pipeline);
        addRequestChecks(pipeline);
        addProxy(pipeline);
    }

    /** SNI picks the certificate (and its SslContext); reloaded certificates serve new handshakes. */
    private void addTls(ChannelPipeline pipeline) {
        pipeline.addLast("sni", new SniHandler(certificates, TLS_HANDSHAKE_TIMEOUT_MILLIS));
    }

    private void addProtocolNegotiation(ChannelPipeline pipeline) {
        pipeline.addLast("alpn", new ProtocolNegotiator(this::configureHttp1, this::configureHttp2));
    }

    private void addHttp2Codec(ChannelPipeline pipeline) {
        pipeline.addLast("h2", Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(HTTP2_MAX_CONCURRENT_STREAMS)
                        .maxHeaderListSize(settings.maxHeaderBytes()))
                .build());
        pipeline.addLast("h2-connection-window", new Http2ConnectionWindow(HTTP2_MAX_CONCURRENT_STREAMS));
    }

    private void addHttp2Streams(ChannelPipeline pipeline) {
        pipeline.addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.config().setAutoRead(false); // as on HTTP/1.1 connections: the proxy handler reads
                configureHttp2Stream(stream.pipeline());
            }
        }));
        pipeline.addLast("h2-idle", new Http2IdleCloser());
    }

    /** Frames to HTTP/1.1 messages and back; connection-specific response headers are dropped on the way out. */
    private static void addHttp2StreamCodec(ChannelPipeline pipeline) {
        pipeline.addLast("h2-stream-codec", new Http2StreamFrameToHttpObjectCodec(true));
        pipeline.addLast("h2-request-adapter", new Http2RequestAdapter());
    }

    private void addIdleTimeout(ChannelPipeline pipeline) {
        pipeline.addLast("idle", new ActivityIdleHandler(settings.clientIdleTimeout()));
    }

    private void addHttpCodec(ChannelPipeline pipeline) {
        pipeline.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxRequestLineBytes())
                .setMaxHeaderSize(settings.maxHeaderBytes())
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true)
                .setStrictLineParsing(true)));
    }

    /** PROXY protocol v1/v2 from an L4 load balancer: its source address becomes the connection's peer. */
    private static void addProxyProtocol(ChannelPipeline pipeline, List<Cidr> trusted) {
        pipeline.addLast("proxy-protocol", new HAProxyMessageDecoder());
        pipeline.addLast("proxy-protocol-source", new ProxyProtocolHandler(trusted));
    }

    /**
     * Smuggling, open-proxy and header-count checks of each request head: a scanner before the
     * decoder notes what the decoder normalizes away, the guard after it judges the decoded head.
     */
    private void addRequestGuards(ChannelPipeline pipeline) {
        RequestHeadScanner scanner = new RequestHeadScanner(proxy);
        pipeline.addBefore("http", "request-head-scanner", scanner);
        pipeline.addLast("request-guard", new RequestGuardHandler(settings.maxHeaderCount(), settings.maxRequestBodyBytes(),
                settings.headersWithUnderscores() == ProxySettings.HeadersWithUnderscores.REJECT, scanner));
    }

    /**
     * The same checks of each HTTP/2 stream's request (converted to HTTP/1.1 form): no CONNECT, no
     * foreign authority, the header-count limit. Framing needs no scanner: HTTP/2 frames it.
     */
    private void addHttp2RequestGuards(ChannelPipeline pipeline) {
        pipeline.addLast("request-guard", new RequestGuardHandler(settings.maxHeaderCount(), settings.maxRequestBodyBytes(),
                settings.headersWithUnderscores() == ProxySettings.HeadersWithUnderscores.REJECT, null));
    }

    /** Slow clients: a request head must be complete within the request-header timeout. */
    private void addRequestTimeouts(ChannelPipeline pipeline) {
        pipeline.addLast("request-head-timeout", new RequestHeadTimeoutHandler(settings.requestHeaderTimeout(), proxy));
    }

    /** One HTTP message per read: the proxy reads the next only when it can forward it. */
    private static void addFlowControl(ChannelPipeline pipeline) {
        pipeline.addLast("flow-control", new FlowControlHandler());
    }

    private void addRequestChecks(ChannelPipeline pipeline) {
        pipeline.addLast("malformed-requests", new MalformedRequestHandler(proxy));
        pipeline.addLast("expect-continue", new HttpServerExpectContinueHandler());
    }

    private void addProxy(ChannelPipeline pipeline) {
        pipeline.addLast("proxy", new ProxyHandler(proxy, listener.tls().isPresent(), settings));
    }
}
