package io.homeport.admin;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.Optional;

/**
 * The admin connection's pipeline: HTTP/1.1, whole requests of at most 64 KiB, the token check
 * when a token is configured, the endpoints.
 */
final class AdminChannelInitializer extends ChannelInitializer<SocketChannel> {

    static final int MAX_REQUEST_BYTES = 64 * 1024;

    private final AdminEndpoints endpoints;
    private final Optional<String> token;

    AdminChannelInitializer(AdminEndpoints endpoints, Optional<String> token) {
        this.endpoints = endpoints;
        this.token = token;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("http", new HttpServerCodec());
        pipeline.addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES));
        token.ifPresent(secret -> pipeline.addLast("token", new AdminTokenCheck(secret)));
        pipeline.addLast("admin", new AdminHandler(endpoints));
    }
}
