package io.homeport.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A backend that answers byte for byte what it is told, for the response framings a well-behaved
 * server library will not produce: a body delimited by closing, interim responses, trailers, a
 * head that arrives in pieces, malformed heads. Each request's path picks its answer; the
 * connection closes after an answer marked so, and otherwise stays open for the next request.
 */
final class RawBackend implements AutoCloseable {

    /** What to send for a path: the pieces, with a pause between them, then maybe close. */
    record Answer(List<String> pieces, boolean closeAfter) {
        static Answer of(String text) {
            return new Answer(List.of(text), false);
        }

        static Answer closing(String text) {
            return new Answer(List.of(text), true);
        }
    }

    private final ServerSocket server;
    private final Map<String, Answer> answers;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    final List<String> heads = new CopyOnWriteArrayList<>();
    final List<Socket> connections = new CopyOnWriteArrayList<>();

    RawBackend(Map<String, Answer> answers) throws IOException {
        this.answers = answers;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        executor.execute(this::accept);
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.add(socket);
                executor.execute(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                heads.add(head);
                String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                Answer answer = answers.getOrDefault(path, Answer.of("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
                for (int i = 0; i < answer.pieces().size(); i++) {
                    if (i > 0) {
                        Thread.sleep(50);
                    }
                    out.write(answer.pieces().get(i).getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
                if (answer.closeAfter()) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the gateway closed the connection, or the test ended
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : connections) {
            socket.close();
        }
        executor.shutdownNow();
    }
}
