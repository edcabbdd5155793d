package io.homeport.canary;

import io.homeport.residency.MigrationBucket;
import io.homeport.residency.ResidencyTable;
import io.homeport.routing.IpAddresses;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The traffic sample as text, for {@code GET /traffic-sample} and {@code homeport diff --sample}:
 * one entry a line, tab-separated, {@code #} starts a comment:
 *
 * <pre>
 * network        requests  bucket  user
 * 1.2.4.0/24     1520      4311    -
 * 49.36.0.0/24   120       1518    user
 * 49.36.0.0/24   40        2207    pinned
 * </pre>
 *
 * <p>{@code user} is {@code -} for requests without a user id, {@code user} for one user's requests
 * (the bucket is theirs), {@code pinned} when that user had a pin when the sample was exported. No
 * user id or hash of one is written: a plain hash of a guessable id names the user. A file of bare
 * addresses or networks, one a line (optionally with a request count), is read too.
 */
public final class SampleFile {

    /** A user's requests: for pins the export can only say whether the user had one. */
    public enum User {
        NONE("-"), USER("user"), PINNED("pinned");

        final String text;

        User(String text) {
            this.text = text;
        }
    }

    /** One line of a sample file. */
    public record Line(InetAddress network, int prefixLength, long requests, int bucket, User user) {

        /** As a sample entry: a user is kept as a hash no pin table holds, so only the bucket counts. */
        public SampledTraffic toSampled() {
            return new SampledTraffic(network, prefixLength, user == User.NONE ? 0 : ANONYMOUS_USER, bucket, requests);
        }
    }

    /** Stands for a user whose id the file does not have: no pin table holds this hash. */
    static final long ANONYMOUS_USER = 0x5eed_5eed_5eed_5eedL;

    private SampleFile() {}

    /** The sample as text; {@code pins} (may be null) says which users are pinned now. */
    public static String write(List<SampledTraffic> sample, ResidencyTable pins) {
        StringBuilder text = new StringBuilder("# homeport traffic sample: network\trequests\tbucket\tuser (- none, user, pinned)\n");
        for (SampledTraffic entry : sample) {
            User user = !entry.hasUser() ? User.NONE
                    : pins != null && pins.regionOfHash(entry.userHash()) != null ? User.PINNED : User.USER;
            text.append(IpAddresses.toText(entry.network())).append('/').append(entry.prefixLength()).append('\t')
                    .append(entry.requests()).append('\t').append(entry.bucket()).append('\t').append(user.text).append('\n');
        }
        return text.toString();
    }

    /** Reads a sample file or a file of addresses; a line that is neither is an error naming its number. */
    public static List<Line> read(Path file) throws IOException {
        List<Line> lines = new ArrayList<>();
        List<String> text = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int number = 1; number <= text.size(); number++) {
            String line = text.get(number - 1);
            int comment = line.indexOf('#');
            String content = (comment >= 0 ? line.substring(0, comment) : line).trim();
            if (content.isEmpty()) {
                continue;
            }
            Optional<Line> parsed = parse(content.split("[\\t ]+"));
            if (parsed.isEmpty()) {
                throw new IOException(file + ":" + number + ": \"" + content
                        + "\" (expected: ADDRESS-OR-NETWORK [REQUESTS [BUCKET USER]], e.g. 1.2.4.0/24 1520 4311 -)");
            }
            lines.add(parsed.get());
        }
        return lines;
    }

    private static Optional<Line> parse(String[] fields) {
        String first = fields[0];
        int slash = first.indexOf('/');
        Optional<InetAddress> address = IpAddresses.parseLiteral(slash < 0 ? first : first.substring(0, slash));
        if (address.isEmpty() || fields.length == 3 || fields.length > 4) {
            return Optional.empty();
        }
        int prefix = address.get() instanceof Inet4Address ? 32 : 128;
        try {
            if (slash >= 0) {
                prefix = Integer.parseInt(first.substring(slash + 1));
            }
            long requests = fields.length >= 2 ? Long.parseLong(fields[1]) : 1;
            int bucket = fields.length == 4 ? Integer.parseInt(fields[2]) : MigrationBucket.of(address.get());
            User user = User.NONE;
            if (fields.length == 4) {
                user = null;
                for (User candidate : User.values()) {
                    if (candidate.text.equals(fields[3])) {
                        user = candidate;
                    }
                }
            }
            if (user == null || requests < 0 || bucket < 0 || bucket >= MigrationBucket.BUCKETS || prefix < 0
                    || prefix > (address.get() instanceof Inet4Address ? 32 : 128)) {
                return Optional.empty();
            }
            return Optional.of(new Line(address.get(), prefix, requests, bucket, user));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
