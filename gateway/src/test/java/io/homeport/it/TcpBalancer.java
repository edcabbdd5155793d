package io.homeport.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A layer-4 load balancer on loopback, as a Kubernetes Service is: each new connection goes to the
 * next target in rotation and stays with it; taking a target out of rotation affects only new
 * connections. For rolling-update tests.
 */
final class TcpBalancer implements AutoCloseable {

    private final ServerSocket server;
    private final List<Integer> targets = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final Thread acceptor;

    TcpBalancer(List<Integer> targetPorts) throws IOException {
        targets.addAll(targetPorts);
        server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "tcp-balancer");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    void add(int targetPort) {
        targets.add(targetPort);
    }

    void remove(int targetPort) {
        targets.remove(Integer.valueOf(targetPort));
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            List<Integer> now = List.copyOf(targets);
            if (now.isEmpty()) {
                closeQuietly(client); // nothing in rotation: refused, as a Service without ready endpoints
                continue;
            }
            Socket target = new Socket();
            try {
                target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        now.get(Math.floorMod(next.getAndIncrement(), now.size()))), 2_000);
            } catch (IOException e) {
                closeQuietly(client); // the target refused: the client's connection ends and it reconnects
                closeQuietly(target);
                continue;
            }
            sockets.add(client);
            sockets.add(target);
            pump(client, target);
            pump(target, client);
        }
    }

    /** Copies one direction; when it ends, half-closes the other side's output, as a TCP proxy does. */
    private static void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                closeQuietly(to);
            }
        }, "tcp-balancer-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(TcpBalancer::closeQuietly);
    }
}
