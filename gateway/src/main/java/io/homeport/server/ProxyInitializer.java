package io.homeport.server;

import io.homeport.config.GatewayConfig;
import io.homeport.proxy.MalformedRequestHandler;
import io.homeport.proxy.ProxyContext;
import io.homeport.proxy.ProxyHandler;
import io.homeport.proxy.ProxySettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** Composes a client connection's pipeline; each step is one concern, in order. */
final class ProxyInitializer extends ChannelInitializer<Channel> {

    private final ProxyContext proxy;
    private final ProxySettings settings;
    private final GatewayConfig.Listener listener;
    private final ChannelGroup clients;

    ProxyInitializer(ProxyContext proxy, ProxySettings settings, GatewayConfig.Listener listener, ChannelGroup clients) {
        this.proxy = proxy;
        this.settings = settings;
        this.listener = listener;
        this.clients = clients;
    }

    @Override
    protected void initChannel(Channel channel) {
        clients.add(channel); // so that shutdown can close what did not drain
        ChannelPipeline pipeline = channel.pipeline();
        addIdleTimeout(pipeline);
        addHttpCodec(pipeline);
        addFlowControl(pipeline);
        addRequestChecks(pipeline);
        addProxy(pipeline);
    }

    private void addIdleTimeout(ChannelPipeline pipeline) {
        pipeline.addLast("idle", new IdleStateHandler(0, 0, settings.clientIdleTimeout().toMillis(), TimeUnit.MILLISECONDS));
    }

    private void addHttpCodec(ChannelPipeline pipeline) {
        pipeline.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxRequestLineBytes())
                .setMaxHeaderSize(settings.maxHeaderBytes())
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true)
                .setStrictLineParsing(true)));
    }

    /** One HTTP message per read: the proxy reads the next only when it can forward it. */
    private static void addFlowControl(ChannelPipeline pipeline) {
        pipeline.addLast("flow-control", new FlowControlHandler());
    }

    private static void addRequestChecks(ChannelPipeline pipeline) {
        pipeline.addLast("malformed-requests", new MalformedRequestHandler());
        pipeline.addLast("expect-continue", new HttpServerExpectContinueHandler());
    }

    private void addProxy(ChannelPipeline pipeline) {
        pipeline.addLast("proxy", new ProxyHandler(proxy, listener.tls().isPresent()));
    }
}
