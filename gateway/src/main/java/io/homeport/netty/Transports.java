package io.homeport.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The socket transport: io_uring where the kernel offers it, else epoll (Linux), else NIO. In an
 * interleaved A/B on one cell of the peers benchmark io_uring took a quarter less CPU per proxied
 * request than epoll (fewer system calls: a ring of submissions instead of a call per read and
 * write, and no epoll_wait);
 * kernels or sandboxes that forbid io_uring (many container runtimes' seccomp profiles do) get epoll.
 */
public record Transports(
        Kind kind,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerChannel> serverChannel,
        Class<? extends SocketChannel> socketChannel,
        Class<? extends DatagramChannel> datagramChannel) {

    /** The transports, best first. */
    public enum Kind {
        IO_URING("io_uring"),
        EPOLL("epoll"),
        NIO("nio");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** Whether this machine (kernel, sandbox) lets this process use it. */
        public boolean isAvailable() {
            return switch (this) {
                case IO_URING -> IoUring.isAvailable();
                case EPOLL -> Epoll.isAvailable();
                case NIO -> true;
            };
        }

        /** Why it is not available, for an operator who asked for it. */
        Throwable unavailabilityCause() {
            return switch (this) {
                case IO_URING -> IoUring.unavailabilityCause();
                case EPOLL -> Epoll.unavailabilityCause();
                case NIO -> null;
            };
        }
    }

    /** The best transport this machine offers. */
    public static Transports best() {
        for (Kind kind : Kind.values()) {
            if (kind.isAvailable()) {
                return of(kind);
            }
        }
        throw new AssertionError("NIO is always available");
    }

    /** This transport; refused with the reason when this machine does not offer it. */
    public static Transports of(Kind kind) {
        if (!kind.isAvailable()) {
            Throwable cause = kind.unavailabilityCause();
            throw new IllegalStateException("transport " + kind.label() + " is not available here"
                    + (cause == null ? "" : ": " + cause), cause);
        }
        return switch (kind) {
            case IO_URING -> new Transports(kind, IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                    IoUringSocketChannel.class, IoUringDatagramChannel.class);
            case EPOLL -> new Transports(kind, EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                    EpollSocketChannel.class, EpollDatagramChannel.class);
            case NIO -> new Transports(kind, NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class,
                    NioDatagramChannel.class);
        };
    }

    public String name() {
        return kind.label();
    }

    public EventLoopGroup newGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), ioHandlerFactory);
    }
}
