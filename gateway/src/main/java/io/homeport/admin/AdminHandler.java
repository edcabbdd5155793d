package io.homeport.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes an admin request to its endpoint and writes the answer. {@code POST /reload} is answered
 * from the reload's completion, back on this channel's event loop; until then the channel reads
 * no further request, so pipelined answers keep their order.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger logger = LoggerFactory.getLogger(AdminHandler.class);

    /** Each path and the one method it answers. */
    private static final Map<String, HttpMethod> ROUTES = Map.of(
            "/healthz", HttpMethod.GET,
            "/readyz", HttpMethod.GET,
            "/metrics", HttpMethod.GET,
            "/explain", HttpMethod.GET,
            "/config", HttpMethod.GET,
            "/traffic-sample", HttpMethod.GET,
            "/reload", HttpMethod.POST);

    private final AdminEndpoints endpoints;

    AdminHandler(AdminEndpoints endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            write(ctx, false, AdminResponse.error(400, "malformed request: " + request.decoderResult().cause().getMessage()));
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        HttpMethod allowed = ROUTES.get(path);
        // HEAD is GET without the body (RFC 9110 §9.3.2), for every GET endpoint.
        boolean head = HttpMethod.HEAD.equals(request.method()) && HttpMethod.GET.equals(allowed);
        if (allowed == null) {
            write(ctx, keepAlive, AdminResponse.error(404, "no admin endpoint " + path
                    + " (expected one of: GET /healthz, /readyz, /metrics, /explain, /config, /traffic-sample; POST /reload)"));
        } else if (!allowed.equals(request.method()) && !head) {
            write(ctx, keepAlive, AdminResponse.methodNotAllowed(request.method().name(), path, allowed.name()));
        } else if (path.equals("/reload")) {
            boolean force = uri.parameters().getOrDefault("force", List.of()).contains("true");
            answerLater(ctx, keepAlive, path, endpoints.reload(force), false);
        } else if (path.equals("/explain")) {
            CompletableFuture<AdminResponse> explained;
            try {
                explained = endpoints.explain(uri.parameters());
            } catch (RuntimeException e) {
                logger.warn("admin {} failed", path, e);
                explained = CompletableFuture.completedFuture(AdminResponse.error(500, path + " failed: " + e));
            }
            if (explained.isDone()) {
                write(ctx, keepAlive, explained.join(), head);
            } else {
                answerLater(ctx, keepAlive, path, explained, head);
            }
        } else {
            write(ctx, keepAlive, answer(path, uri), head);
        }
    }

    private AdminResponse answer(String path, QueryStringDecoder uri) {
        try {
            switch (path) {
                case "/healthz":
                    return endpoints.healthz();
                case "/readyz":
                    return endpoints.readyz();
                case "/metrics":
                    return endpoints.metrics();
                case "/traffic-sample":
                    return endpoints.trafficSample();
                default:
                    return endpoints.config();
            }
        } catch (RuntimeException e) {
            logger.warn("admin {} failed", path, e);
            return AdminResponse.error(500, path + " failed: " + e);
        }
    }

    private static void answerLater(ChannelHandlerContext ctx, boolean keepAlive, String path,
            CompletableFuture<AdminResponse> pending, boolean headOnly) {
        ctx.channel().config().setAutoRead(false);
        pending.whenComplete((response, failure) -> {
            AdminResponse answer = failure == null ? response : AdminResponse.error(500, path + " failed: " + failure.getMessage());
            try {
                ctx.executor().execute(() -> {
                    write(ctx, keepAlive, answer, headOnly);
                    ctx.channel().config().setAutoRead(true);
                });
            } catch (RejectedExecutionException e) {
                logger.debug("admin event loop shut down before a reload answer could be written");
            }
        });
    }

    static void write(ChannelHandlerContext ctx, boolean keepAlive, AdminResponse answer) {
        write(ctx, keepAlive, answer, false);
    }

    /** With {@code headOnly}, the headers GET would send (its Content-Length too) and no body. */
    static void write(ChannelHandlerContext ctx, boolean keepAlive, AdminResponse answer, boolean headOnly) {
        ByteBuf body = ByteBufUtil.writeUtf8(ctx.alloc(), answer.body());
        int length = body.readableBytes();
        if (headOnly) {
            body.release();
            body = Unpooled.EMPTY_BUFFER;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(answer.status()), body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        answer.headers().forEach(response.headers()::set);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.debug("admin connection from {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
