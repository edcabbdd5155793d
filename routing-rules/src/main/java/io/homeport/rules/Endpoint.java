package io.homeport.rules;

import java.net.URI;

/** One backend address of a region: {@code http://host:port} or {@code https://host:port}. */
public record Endpoint(String scheme, String host, int port) {

    public boolean tls() {
        return "https".equals(scheme);
    }

    public URI uri() {
        return URI.create(toString());
    }

    @Override
    public String toString() {
        String printedHost = host.indexOf(':') >= 0 ? '[' + host + ']' : host;
        return scheme + "://" + printedHost + ':' + port;
    }
}
