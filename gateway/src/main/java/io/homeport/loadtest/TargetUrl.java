package io.homeport.loadtest;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where the load goes: a cleartext HTTP URL, split into what the connections need (host, port)
 * and what every request carries (the Host header, the path and query).
 */
public record TargetUrl(String url, String host, int port, String hostHeader, String path, String pathAndQuery) {

    public static TargetUrl parse(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--url " + text + ": " + e.getReason() + " (expected: http://host:port/path)");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("--url " + text + ": scheme " + uri.getScheme()
                    + " (expected: http; the load tester speaks cleartext HTTP/1.1)");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("--url " + text + ": no host (expected: http://host:port/path)");
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String pathAndQuery = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        String hostHeader = uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + port;
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        return new TargetUrl(text, host, port, hostHeader, path, pathAndQuery);
    }
}
