package io.homeport.rules.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML mapping read against the keys it may have. Unknown and duplicate keys, and values of the
 * wrong shape, are reported to {@link Problems} with their position, and reading goes on so that
 * every problem of a file is found in one pass.
 */
public final class YamlMap {

    private final String path;
    private final Node node;
    private final Map<String, NodeTuple> entries;
    private final Problems problems;

    private YamlMap(String path, Node node, Map<String, NodeTuple> entries, Problems problems) {
        this.path = path;
        this.node = node;
        this.entries = entries;
        this.problems = problems;
    }

    /**
     * Reads {@code node} as a mapping named {@code path} in messages. With {@code allowedKeys}
     * null, any key is accepted (a mapping whose keys are data, such as {@code countries}).
     */
    public static YamlMap read(String path, Node node, Set<String> allowedKeys, Problems problems) {
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        if (!(node instanceof MappingNode mapping)) {
            problems.at(node, path + ": expected a mapping, found " + describe(node));
            return new YamlMap(path, node, entries, problems);
        }
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode keyScalar)) {
                problems.at(keyNode, path + ": keys must be plain words, found " + describe(keyNode));
                continue;
            }
            String key = keyScalar.getValue();
            if (allowedKeys != null && !allowedKeys.contains(key)) {
                problems.at(keyNode, "unknown key \"" + key + "\" in " + path + Suggestions.didYouMean(key, allowedKeys));
                continue;
            }
            if (entries.containsKey(key)) {
                problems.at(keyNode, path + ": duplicate key \"" + key + "\"");
                continue;
            }
            entries.put(key, tuple);
        }
        return new YamlMap(path, node, entries, problems);
    }

    public Node node() {
        return node;
    }

    public String path() {
        return path;
    }

    public Map<String, NodeTuple> entries() {
        return entries;
    }

    public boolean has(String key) {
        return entries.containsKey(key);
    }

    public Optional<Node> value(String key) {
        NodeTuple tuple = entries.get(key);
        return tuple == null ? Optional.empty() : Optional.of(tuple.getValueNode());
    }

    /** The key's own node, for positioning a problem about the entry. */
    public Node keyNode(String key) {
        NodeTuple tuple = entries.get(key);
        return tuple == null ? node : tuple.getKeyNode();
    }

    /** A required key; reports it missing at the mapping's position. */
    public Optional<Node> require(String key) {
        Optional<Node> value = value(key);
        if (value.isEmpty()) {
            problems.at(node, path + ": missing required key \"" + key + "\"");
        }
        return value;
    }

    /** A scalar's text; null-valued keys ({@code key:} or {@code key: ~}) are treated as absent. */
    public Optional<String> string(String key) {
        return value(key).flatMap(value -> scalar(path + '.' + key, value, problems));
    }

    public Optional<String> requireString(String key) {
        if (!has(key)) {
            problems.at(node, path + ": missing required key \"" + key + "\"");
            return Optional.empty();
        }
        Optional<String> value = string(key);
        if (value.isEmpty() && isNull(entries.get(key).getValueNode())) {
            problems.at(entries.get(key).getValueNode(), path + '.' + key + ": must not be empty");
        }
        return value;
    }

    /** A list; a single scalar is not silently promoted, since that usually hides a typo. */
    public List<Node> list(String key) {
        return value(key).map(value -> list(path + '.' + key, value, problems)).orElse(List.of());
    }

    public static List<Node> list(String path, Node value, Problems problems) {
        if (isNull(value)) {
            return List.of();
        }
        if (!(value instanceof SequenceNode sequence)) {
            problems.at(value, path + ": expected a list, found " + describe(value));
            return List.of();
        }
        return new ArrayList<>(sequence.getValue());
    }

    public static Optional<String> scalar(String path, Node value, Problems problems) {
        if (isNull(value)) {
            return Optional.empty();
        }
        if (!(value instanceof ScalarNode scalar)) {
            problems.at(value, path + ": expected a single value, found " + describe(value));
            return Optional.empty();
        }
        return Optional.of(scalar.getValue());
    }

    static boolean isNull(Node value) {
        return value instanceof ScalarNode && Tag.NULL.equals(value.getTag());
    }

    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (isNull(node)) {
            return "nothing";
        }
        return "\"" + ((ScalarNode) node).getValue() + "\"";
    }
}
