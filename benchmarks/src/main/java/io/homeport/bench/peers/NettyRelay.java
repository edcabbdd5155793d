package io.homeport.bench.peers;

import io.homeport.netty.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;

/**
 * The floor of any Netty proxy in the peers benchmark: a byte relay that pairs each client
 * connection with one connection to a fixed backend on the same event loop and copies bytes both
 * ways, parsing nothing. It does none of a gateway's work (no HTTP, no routing: every answer comes
 * from the one backend), so it is not a peer to compete with; it measures what Netty's transport
 * and the kernel cost per request on this machine, below which no Netty-based gateway can go.
 *
 * <pre>java -cp benchmarks.jar io.homeport.bench.peers.NettyRelay LISTEN_PORT BACKEND_PORT THREADS</pre>
 */
public final class NettyRelay {

    private NettyRelay() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: NettyRelay LISTEN_PORT BACKEND_PORT THREADS");
            System.exit(2);
        }
        int listenPort = Integer.parseInt(args[0]);
        InetSocketAddress backend = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1]));
        Transports transports = Transports.best();
        EventLoopGroup acceptor = transports.newGroup(1, "relay-accept");
        EventLoopGroup workers = transports.newGroup(Integer.parseInt(args[2]), "relay-io");
        Channel server = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(transports.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel client) {
                        new Bootstrap()
                                .group(client.eventLoop())
                                .channel(transports.socketChannel())
                                .option(ChannelOption.TCP_NODELAY, true)
                                .option(ChannelOption.AUTO_READ, false)
                                .handler(new Copy(client))
                                .connect(backend)
                                .addListener((ChannelFutureListener) connected -> {
                                    if (!connected.isSuccess()) {
                                        client.close();
                                        return;
                                    }
                                    client.pipeline().addLast("copy", new Copy(connected.channel()));
                                    client.read();
                                    connected.channel().read();
                                });
                    }
                })
                .bind("127.0.0.1", listenPort)
                .sync()
                .channel();
        System.err.println("relay on 127.0.0.1:" + listenPort + " to " + backend + " (" + transports.name() + ")");
        server.closeFuture().sync();
    }

    /** Writes what one side reads to the other side, flushing once per read batch, reading on while it drains. */
    private static final class Copy extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Copy(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            peer.write(msg, peer.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
            ctx.read();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            peer.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
