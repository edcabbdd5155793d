package io.homeport.rules.internal;

import java.io.StringReader;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a YAML document into SnakeYAML's node tree and nothing more: no object is ever
 * constructed from a tag, so a file cannot make the gateway instantiate a type. Size, nesting and
 * alias use are bounded, so a "billion laughs" file fails fast instead of eating the heap.
 */
public final class SafeYaml {

    /** Larger than any sane rules file; a residency table belongs in its CSV file, not here. */
    public static final int MAX_CODE_POINTS = 4 * 1024 * 1024;

    static final int MAX_ALIASES = 50;
    static final int MAX_NESTING = 32;

    private static final Set<Tag> PLAIN_TAGS =
            Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.MAP, Tag.SEQ);

    private SafeYaml() {}

    /** The root node, or empty with the reason added to {@code problems}. */
    public static Optional<Node> parse(String text, Problems problems) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setCodePointLimit(MAX_CODE_POINTS);
        options.setProcessComments(false);
        try {
            Node root = new Yaml(options).compose(new StringReader(text));
            if (root == null) {
                problems.atLine(1, 1, "the file is empty (expected a mapping with version, regions and residency)");
                return Optional.empty();
            }
            int before = problems.list().size();
            checkTags(root, problems, Collections.newSetFromMap(new IdentityHashMap<>()));
            return problems.list().size() == before ? Optional.of(root) : Optional.empty();
        } catch (MarkedYAMLException e) {
            problems.at(e.getProblemMark(), "invalid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            problems.atLine(1, 1, "refused YAML: " + e.getMessage());
        }
        return Optional.empty();
    }

    /** Only plain YAML: an explicit tag such as {@code !!java.net.URL} is refused, not interpreted. */
    private static void checkTags(Node node, Problems problems, Set<Node> visited) {
        if (!visited.add(node)) {
            return; // an alias of a node already checked: aliases cannot multiply the work, and cycles end here
        }
        if (!PLAIN_TAGS.contains(node.getTag()) && !Tag.MERGE.equals(node.getTag())) {
            problems.at(node, "unsupported YAML tag " + node.getTag() + " (expected plain values, lists and mappings)");
            return;
        }
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (Tag.MERGE.equals(tuple.getKeyNode().getTag())) {
                    problems.at(tuple.getKeyNode(), "merge keys (<<) are not supported; repeat the keys instead");
                    continue;
                }
                checkTags(tuple.getKeyNode(), problems, visited);
                checkTags(tuple.getValueNode(), problems, visited);
            }
        } else if (node instanceof SequenceNode sequence) {
            for (Node item : sequence.getValue()) {
                checkTags(item, problems, visited);
            }
        }
    }
}
