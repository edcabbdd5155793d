package io.homeport.geodns;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a table of edges from YAML ({@code deploy/geodns/edges.example.yaml} shows every key).
 * Only the node tree is read, so {@code NO} stays Norway; every error names {@code file:line:col}.
 */
public final class EdgeTableFile {

    static final int MAX_BYTES = 256 * 1024;
    private static final Set<String> TOP_KEYS = Set.of("zone", "service", "ttl", "edges");
    private static final Set<String> EDGE_KEYS = Set.of("name", "addresses", "countries", "default");

    /** A table that cannot be used; the message starts with {@code file:line:col:}. */
    public static final class InvalidEdgeTableException extends Exception {
        InvalidEdgeTableException(String message) {
            super(message);
        }
    }

    private final Path file;

    private EdgeTableFile(Path file) {
        this.file = file;
    }

    public static EdgeTable load(Path file) throws IOException, InvalidEdgeTableException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        if (Files.size(file) > MAX_BYTES) {
            throw new InvalidEdgeTableException(file + ":1:1: larger than " + MAX_BYTES + " bytes");
        }
        return new EdgeTableFile(file).parse(Files.readString(file));
    }

    private EdgeTable parse(String text) throws InvalidEdgeTableException {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(10);
        options.setNestingDepthLimit(8);
        Node root;
        try {
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            throw new InvalidEdgeTableException(at(e.getProblemMark()) + "invalid YAML: " + e.getProblem());
        }
        if (!(root instanceof MappingNode top)) {
            throw new InvalidEdgeTableException(file + ":1:1: expected a map with zone, service, ttl and edges");
        }
        Map<String, Node> keys = keys(top, TOP_KEYS);
        String zone = scalar(keys, "zone", top);
        String service = keys.containsKey("service") ? scalar(keys, "service", top) : "api";
        int ttl = keys.containsKey("ttl") ? integer(keys.get("ttl")) : 60;
        Node edgesNode = keys.get("edges");
        if (!(edgesNode instanceof SequenceNode edgeList)) {
            throw new InvalidEdgeTableException(at(edgesNode == null ? top.getStartMark() : edgesNode.getStartMark())
                    + "expected edges: a list of {name, addresses, countries, default}");
        }
        List<EdgeTable.Edge> edges = new ArrayList<>();
        for (Node node : edgeList.getValue()) {
            edges.add(edge(node));
        }
        try {
            return new EdgeTable(zone, service, ttl, edges);
        } catch (IllegalArgumentException e) {
            throw new InvalidEdgeTableException(at(edgesNode.getStartMark()) + e.getMessage());
        }
    }

    private EdgeTable.Edge edge(Node node) throws InvalidEdgeTableException {
        if (!(node instanceof MappingNode mapping)) {
            throw new InvalidEdgeTableException(at(node.getStartMark()) + "expected an edge: {name, addresses, countries, default}");
        }
        Map<String, Node> keys = keys(mapping, EDGE_KEYS);
        String name = scalar(keys, "name", mapping);
        List<InetAddress> addresses = new ArrayList<>();
        for (ScalarNode address : list(keys, "addresses", mapping, true)) {
            addresses.add(address(address));
        }
        List<String> countries = new ArrayList<>();
        for (ScalarNode country : list(keys, "countries", mapping, false)) {
            countries.add(country.getValue().trim());
        }
        boolean isDefault = false;
        if (keys.containsKey("default")) {
            String value = scalarOf(keys.get("default")).getValue().trim();
            if (!value.equals("true") && !value.equals("false")) {
                throw new InvalidEdgeTableException(at(keys.get("default").getStartMark()) + "default: expected true or false");
            }
            isDefault = value.equals("true");
        }
        try {
            return new EdgeTable.Edge(name, addresses, countries, isDefault);
        } catch (IllegalArgumentException e) {
            throw new InvalidEdgeTableException(at(mapping.getStartMark()) + e.getMessage());
        }
    }

    private InetAddress address(ScalarNode node) throws InvalidEdgeTableException {
        String text = node.getValue().trim();
        // Literal addresses only: a name here would be resolved once, silently, by whoever renders the zone.
        if (!text.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            throw new InvalidEdgeTableException(at(node.getStartMark()) + "\"" + text + "\" is not an IPv4 or IPv6 address");
        }
        try {
            return InetAddress.getByName(text);
        } catch (IOException e) {
            throw new InvalidEdgeTableException(at(node.getStartMark()) + "\"" + text + "\" is not an IPv4 or IPv6 address");
        }
    }

    private Map<String, Node> keys(MappingNode mapping, Set<String> allowed) throws InvalidEdgeTableException {
        Map<String, Node> keys = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            ScalarNode key = scalarOf(tuple.getKeyNode());
            if (!allowed.contains(key.getValue())) {
                throw new InvalidEdgeTableException(at(key.getStartMark()) + "unknown key \"" + key.getValue() + "\" (expected one of "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
            if (keys.put(key.getValue(), tuple.getValueNode()) != null) {
                throw new InvalidEdgeTableException(at(key.getStartMark()) + key.getValue() + " is given twice");
            }
        }
        return keys;
    }

    private String scalar(Map<String, Node> keys, String key, Node parent) throws InvalidEdgeTableException {
        Node node = keys.get(key);
        if (node == null) {
            throw new InvalidEdgeTableException(at(parent.getStartMark()) + "missing " + key);
        }
        return scalarOf(node).getValue().trim();
    }

    private ScalarNode scalarOf(Node node) throws InvalidEdgeTableException {
        if (node instanceof ScalarNode scalar) {
            return scalar;
        }
        throw new InvalidEdgeTableException(at(node.getStartMark()) + "expected a single value");
    }

    private int integer(Node node) throws InvalidEdgeTableException {
        String text = scalarOf(node).getValue().trim();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new InvalidEdgeTableException(at(node.getStartMark()) + "\"" + text + "\" is not a whole number of seconds");
        }
    }

    private List<ScalarNode> list(Map<String, Node> keys, String key, Node parent, boolean required) throws InvalidEdgeTableException {
        Node node = keys.get(key);
        if (node == null) {
            if (required) {
                throw new InvalidEdgeTableException(at(parent.getStartMark()) + "missing " + key);
            }
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            throw new InvalidEdgeTableException(at(node.getStartMark()) + key + ": expected a list, e.g. [a, b]");
        }
        List<ScalarNode> items = new ArrayList<>();
        for (Node item : sequence.getValue()) {
            items.add(scalarOf(item));
        }
        return items;
    }

    private String at(Mark mark) {
        return file + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1) + ": ";
    }
}
