package io.homeport.loadtest;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads a mix from YAML: a mapping of country code to weight, the same map as {@code --mix}
 * ({@code CN: 40}). Only the node tree is read, never objects: plain scalars stay text, so Norway
 * ({@code NO}) stays a country instead of YAML 1.1's {@code false}. Errors say {@code file:line:col}.
 */
public final class MarketMixFile {

    static final int MAX_BYTES = 64 * 1024;

    private MarketMixFile() {}

    public static MarketMix load(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new IllegalArgumentException(file + ": larger than " + MAX_BYTES + " bytes (expected: a short map of country: weight)");
        }
        String text = Files.readString(file);
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(10);
        options.setNestingDepthLimit(4);
        Node root;
        try {
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            throw new IllegalArgumentException(at(file, e.getProblemMark()) + "invalid YAML: " + e.getProblem());
        }
        if (!(root instanceof MappingNode mapping)) {
            throw new IllegalArgumentException(file + ":1:1: expected a map of country code to weight, e.g. \"CN: 40\"");
        }
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node key = tuple.getKeyNode();
            Node value = tuple.getValueNode();
            if (!(key instanceof ScalarNode keyScalar) || !(value instanceof ScalarNode valueScalar)) {
                throw new IllegalArgumentException(at(file, key.getStartMark()) + "expected COUNTRY: WEIGHT");
            }
            String country = keyScalar.getValue();
            int weight;
            try {
                weight = Integer.parseInt(valueScalar.getValue().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(at(file, value.getStartMark()) + country + ": weight \"" + valueScalar.getValue()
                        + "\" is not a whole number");
            }
            if (weights.put(country, weight) != null) {
                throw new IllegalArgumentException(at(file, key.getStartMark()) + country + " is given twice (expected: each market once)");
            }
            try {
                new MarketMix(Map.of(country, weight)); // checks the code and the weight, located at this line
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at(file, key.getStartMark()) + e.getMessage());
            }
        }
        try {
            return new MarketMix(weights);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ":1:1: " + e.getMessage());
        }
    }

    private static String at(Path file, Mark mark) {
        return file + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1) + ": ";
    }
}
