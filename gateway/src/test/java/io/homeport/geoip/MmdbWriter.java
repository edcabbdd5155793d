package io.homeport.geoip;

import io.homeport.routing.IpAddresses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GeoLite2-Country-shaped database (IPv6 tree, IPv4 under ::/96, {@code {country:
 * {iso_code}}} records) from networks and their countries: for tests that need a database that
 * differs from the fixtures in a known way, such as a market moved to another country. A small
 * writer of the format, checked by {@link MmdbVerifier} and MaxMind's reader in the tests that use it.
 */
public final class MmdbWriter {

    private final Map<String, String> networks = new LinkedHashMap<>();

    /** Adds {@code network} (CIDR, IPv4 or IPv6, non-overlapping) with {@code country}. */
    public MmdbWriter add(String network, String country) {
        networks.put(network, country);
        return this;
    }

    /** Every {@code network<TAB>country} line of a fixture source ({@code #} comments), with {@code relabel} applied. */
    public MmdbWriter addAll(Path tsv, Map<String, String> relabel) throws IOException {
        for (String line : Files.readAllLines(tsv)) {
            String content = line.contains("#") ? line.substring(0, line.indexOf('#')) : line;
            String[] fields = content.trim().split("\\s+");
            if (fields.length == 2) {
                add(fields[0], relabel.getOrDefault(fields[1], fields[1]));
            }
        }
        return this;
    }

    /** A trie node: each side is null (no data), a Node, or a country code. */
    private static final class Node {
        final Object[] sides = new Object[2];
        int index;
    }

    public byte[] write() {
        Node root = new Node();
        networks.forEach((cidr, country) -> insert(root, cidr, country));
        List<Node> order = new ArrayList<>();
        number(root, order);
        Map<String, Integer> offsets = new LinkedHashMap<>();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (String country : networks.values()) {
            if (!offsets.containsKey(country)) {
                offsets.put(country, data.size());
                data.writeBytes(MmdbBytes.encode(Map.of("country", Map.of("iso_code", country))));
            }
        }
        long nodeCount = order.size();
        long[] records = new long[order.size() * 2];
        for (Node node : order) {
            for (int side = 0; side < 2; side++) {
                Object child = node.sides[side];
                records[node.index * 2 + side] = child == null ? nodeCount
                        : child instanceof Node next ? next.index : nodeCount + 16 + offsets.get((String) child);
            }
        }
        return MmdbBytes.database(records, data.toByteArray(), 6, "GeoLite2-Country");
    }

    public Path write(Path file) throws IOException {
        return Files.write(file, write());
    }

    private static void insert(Node root, String cidr, String country) {
        int slash = cidr.indexOf('/');
        InetAddress address = IpAddresses.parseLiteral(cidr.substring(0, slash)).orElseThrow();
        int length = Integer.parseInt(cidr.substring(slash + 1));
        byte[] bits = new byte[16];
        byte[] raw = address.getAddress();
        if (address instanceof Inet4Address) {
            System.arraycopy(raw, 0, bits, 12, 4);
            length += 96;
        } else {
            bits = raw;
        }
        Node node = root;
        for (int depth = 0; depth < length; depth++) {
            int side = (bits[depth / 8] >>> (7 - depth % 8)) & 1;
            if (depth == length - 1) {
                node.sides[side] = country;
            } else {
                if (!(node.sides[side] instanceof Node)) {
                    node.sides[side] = new Node();
                }
                node = (Node) node.sides[side];
            }
        }
    }

    private static void number(Node node, List<Node> order) {
        node.index = order.size();
        order.add(node);
        for (Object side : node.sides) {
            if (side instanceof Node child) {
                number(child, order);
            }
        }
    }
}
