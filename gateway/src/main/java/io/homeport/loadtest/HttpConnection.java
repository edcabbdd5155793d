package io.homeport.loadtest;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.1 keep-alive connection of the pool, confined to one event loop: every field is read
 * and written on that loop only. It sends one request at a time, times it out, and reconnects
 * (with a growing pause when connecting fails) when the gateway closes it, until the run ends.
 */
final class HttpConnection implements Connection {

    static final AsciiString REGION_HEADER = AsciiString.cached("x-homeport-region");
    static final AsciiString FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString USER_AGENT = AsciiString.cached("homeport-loadtest");

    private static final long MAX_RECONNECT_PAUSE_MILLIS = 1000;

    private final Bootstrap bootstrap;
    private final EventLoop loop;
    private final TargetUrl target;
    private final AsciiString userIdHeader;
    private final RequestDispatcher dispatcher;
    private final Ticker ticker;
    private final long timeoutNanos;
    private volatile boolean closed;

    private Channel channel;
    private PlannedRequest inFlight;
    private PlannedRequest waitingForConnection;
    private ScheduledFuture<?> timeout;
    private int status;
    private String servedRegion;
    private boolean keepAlive;
    private long reconnectPauseMillis;

    HttpConnection(Bootstrap bootstrap, EventLoop loop, TargetUrl target, AsciiString userIdHeader, RequestDispatcher dispatcher,
            Ticker ticker, long timeoutNanos) {
        this.bootstrap = bootstrap.clone(loop).handler(new ResponseReader.Initializer(this));
        this.loop = loop;
        this.target = target;
        this.userIdHeader = userIdHeader;
        this.dispatcher = dispatcher;
        this.ticker = ticker;
        this.timeoutNanos = timeoutNanos;
    }

    /** Opens the connection; it tells the dispatcher it is ready once connected. */
    ChannelFuture connect() {
        ChannelFuture future = bootstrap.connect(target.host(), target.port());
        future.addListener(done -> connected(future));
        return future;
    }

    @Override
    public void send(PlannedRequest request) {
        if (loop.inEventLoop()) {
            write(request);
        } else {
            loop.execute(() -> write(request));
        }
    }

    /** Stops reconnecting and closes the channel; a request still in flight ends as a connection error. */
    void close() {
        closed = true;
        loop.execute(() -> {
            if (channel != null) {
                channel.close();
            }
            if (waitingForConnection != null) {
                PlannedRequest request = waitingForConnection;
                waitingForConnection = null;
                dispatcher.completed(Completion.failure(request, Completion.Outcome.CONNECTION_ERROR, ticker.read()));
            }
        });
    }

    private void connected(ChannelFuture future) {
        if (!future.isSuccess()) {
            if (waitingForConnection != null) {
                PlannedRequest request = waitingForConnection;
                waitingForConnection = null;
                dispatcher.completed(Completion.failure(request, Completion.Outcome.CONNECTION_ERROR, ticker.read()));
            }
            reconnectPauseMillis = Math.min(MAX_RECONNECT_PAUSE_MILLIS, Math.max(50, reconnectPauseMillis * 2));
            scheduleReconnect();
            return;
        }
        channel = future.channel();
        reconnectPauseMillis = 0;
        if (closed) {
            channel.close();
        } else if (waitingForConnection != null) {
            PlannedRequest request = waitingForConnection;
            waitingForConnection = null;
            write(request);
        } else {
            dispatcher.ready(this);
        }
    }

    private void write(PlannedRequest request) {
        if (channel == null || !channel.isActive()) {
            // The gateway closed this connection after the dispatcher picked it: send once reconnected.
            waitingForConnection = request;
            return;
        }
        inFlight = request;
        status = 0;
        servedRegion = null;
        keepAlive = true;
        timeout = loop.schedule(this::timedOut, timeoutNanos, TimeUnit.NANOSECONDS);
        Channel writingTo = channel;
        writingTo.writeAndFlush(toHttp(request)).addListener(written -> {
            if (!written.isSuccess()) {
                if (inFlight == request) {
                    failInFlight(Completion.Outcome.CONNECTION_ERROR);
                }
                writingTo.close();
            }
        });
    }

    private FullHttpRequest toHttp(PlannedRequest request) {
        FullHttpRequest http = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target.pathAndQuery(),
                Unpooled.EMPTY_BUFFER);
        http.headers()
                .set(HttpHeaderNames.HOST, target.hostHeader())
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                .set(FORWARDED_FOR, request.client().address());
        if (request.client().userId() != null) {
            http.headers().set(userIdHeader, request.client().userId());
        }
        return http;
    }

    void responseHead(Channel from, HttpResponse response) {
        if (from != channel || inFlight == null) {
            return;
        }
        status = response.status().code();
        servedRegion = response.headers().get(REGION_HEADER);
        keepAlive = HttpUtil.isKeepAlive(response);
    }

    void responseEnd(Channel from) {
        if (from != channel || inFlight == null || status == 0) {
            return;
        }
        timeout.cancel(false);
        Completion completion = Completion.response(inFlight, status, servedRegion, ticker.read());
        inFlight = null;
        if (keepAlive && !closed) {
            dispatcher.finished(this, completion);
        } else {
            dispatcher.completed(completion);
            channel.close(); // reconnects once closed
        }
    }

    void channelClosed(Channel from) {
        if (from != channel) {
            return;
        }
        failInFlight(Completion.Outcome.CONNECTION_ERROR);
        channel = null;
        dispatcher.lost(this);
        scheduleReconnect();
    }

    private void timedOut() {
        if (inFlight != null) {
            failInFlight(Completion.Outcome.TIMEOUT);
            if (channel != null) {
                channel.close(); // a late response must not be read as the next request's
            }
        }
    }

    private void failInFlight(Completion.Outcome outcome) {
        if (inFlight == null) {
            return;
        }
        timeout.cancel(false);
        PlannedRequest request = inFlight;
        inFlight = null;
        dispatcher.completed(Completion.failure(request, outcome, ticker.read()));
    }

    private void scheduleReconnect() {
        if (closed) {
            return;
        }
        loop.schedule(() -> {
            if (!closed) {
                connect();
            }
        }, reconnectPauseMillis, TimeUnit.MILLISECONDS);
    }
}
