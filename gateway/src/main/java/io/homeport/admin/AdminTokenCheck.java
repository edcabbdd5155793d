package io.homeport.admin;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/**
 * Lets an admin request through only with {@code Authorization: Bearer <admin.token>}, except the
 * probes {@code /healthz} and {@code /readyz}, which load balancers and orchestrators call without
 * one. Anything else gets 401 with {@code WWW-Authenticate: Bearer}. Tokens are compared by their
 * SHA-256 digests with {@link MessageDigest#isEqual}: the time taken tells neither the token's
 * length nor how much of a guess was right.
 */
final class AdminTokenCheck extends ChannelInboundHandlerAdapter {

    static final Set<String> OPEN_PATHS = Set.of("/healthz", "/readyz");

    private final byte[] expectedDigest;

    AdminTokenCheck(String token) {
        if (token.isEmpty()) {
            throw new IllegalArgumentException("token: empty (expected: a secret)");
        }
        this.expectedDigest = sha256(token);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request && request.decoderResult().isSuccess()
                && !OPEN_PATHS.contains(new QueryStringDecoder(request.uri()).path()) && !authorized(request)) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            request.release();
            AdminHandler.write(ctx, keepAlive, AdminResponse.unauthorized());
            return;
        }
        ctx.fireChannelRead(msg);
    }

    boolean authorized(FullHttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(expectedDigest, sha256(header.substring(7).trim()));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
