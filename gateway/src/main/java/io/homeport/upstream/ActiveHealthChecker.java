package io.homeport.upstream;

import io.homeport.netty.Buffers;
import io.homeport.netty.Transports;
import io.homeport.rules.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks: every interval, a {@code GET <path>} on a fresh connection to each
 * endpoint the current rules name; 2xx and 3xx pass. Runs on its own event loop, never the
 * proxy's, and flips an endpoint only after the configured streak of results.
 */
public final class ActiveHealthChecker implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(ActiveHealthChecker.class);

    private final UpstreamHealth health;
    private final Supplier<Collection<Endpoint>> endpoints;
    private final Transports transports;
    private final AddressResolverGroup<? extends SocketAddress> resolver;
    private final EventLoopGroup group;
    private final Consumer<EndpointHealth> onChange;
    private ScheduledFuture<?> schedule;

    public ActiveHealthChecker(UpstreamHealth health, Supplier<Collection<Endpoint>> endpoints, Transports transports,
            Consumer<EndpointHealth> onChange) {
        this(health, endpoints, transports, DefaultAddressResolverGroup.INSTANCE, onChange);
    }

    public ActiveHealthChecker(UpstreamHealth health, Supplier<Collection<Endpoint>> endpoints, Transports transports,
            AddressResolverGroup<? extends SocketAddress> resolver, Consumer<EndpointHealth> onChange) {
        this.resolver = resolver;
        this.health = health;
        this.endpoints = endpoints;
        this.transports = transports;
        this.group = transports.newGroup(1, "homeport-health");
        this.onChange = onChange;
    }

    /** Starts checking, if a check path is configured. */
    public void start() {
        if (health.settings().checkPath().isEmpty()) {
            return;
        }
        long interval = health.settings().interval().toMillis();
        schedule = group.next().scheduleWithFixedDelay(this::checkAll, 0, interval, TimeUnit.MILLISECONDS);
    }

    private void checkAll() {
        for (Endpoint endpoint : endpoints.get()) {
            check(endpoint).addListener(done -> {
                boolean passed = done.isSuccess() && Boolean.TRUE.equals(done.getNow());
                EndpointHealth state = health.of(endpoint);
                if (state.recordCheck(passed, health.settings())) {
                    logger.warn("endpoint {} is now {}", endpoint, passed ? "healthy" : "UNHEALTHY (active check failed)");
                    onChange.accept(state);
                }
            });
        }
    }

    /** One check: true when the endpoint answered the check path with 2xx or 3xx in time. */
    Promise<Boolean> check(Endpoint endpoint) {
        Promise<Boolean> result = group.next().newPromise();
        HealthSettings settings = health.settings();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(transports.socketChannel())
                .resolver(resolver)
                .option(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.timeout().toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (endpoint.tls()) {
                            channel.pipeline().addLast(UpstreamTls.handler(channel, endpoint));
                        }
                        channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                                new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
                                        int code = response.status().code();
                                        result.trySuccess(code >= 200 && code < 400);
                                        ctx.close();
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        result.trySuccess(false);
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        result.trySuccess(false);
                                        ctx.close();
                                    }
                                });
                    }
                });
        bootstrap.connect(endpoint.host(), endpoint.port()).addListener(connected -> {
            if (!connected.isSuccess()) {
                result.trySuccess(false);
                return;
            }
            Channel channel = ((io.netty.channel.ChannelFuture) connected).channel();
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                    settings.checkPath().orElse("/"));
            request.headers()
                    .set(HttpHeaderNames.HOST, endpoint.host() + ":" + endpoint.port())
                    .set(HttpHeaderNames.USER_AGENT, "homeport-health-check")
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            channel.writeAndFlush(request);
            ScheduledFuture<?> timeout = channel.eventLoop().schedule(() -> {
                result.trySuccess(false);
                channel.close();
            }, settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
            result.addListener(f -> timeout.cancel(false));
        });
        return result;
    }

    @Override
    public void close() {
        if (schedule != null) {
            schedule.cancel(false);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
