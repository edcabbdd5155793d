package io.homeport.canary;

import io.homeport.accesslog.UserHashKey;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The traffic sample as text, for {@code GET /traffic-sample} and {@code homeport diff --sample}:
 * one entry a line, tab-separated, {@code #} starts a comment:
 *
 * <pre>
 * network        requests  bucket  user              pinned
 * 1.2.4.0/24     1520      4311    -                 -
 * 49.36.0.0/24   120       1518    a3e7e77cecd85e7a  -
 * 49.36.0.0/24   40        2207    84bc076c3b89cffd  pinned
 * </pre>
 *
 * <p>{@code user} is {@code -} for requests without a user id, else the user's keyed hash exactly
 * as the access log writes it ({@code user_hash}: HMAC-SHA-256 under {@code
 * audit.user_hash_key_file}, 16 hex digits), so neither the id nor a plain hash of it leaves the
 * gateway; {@code bucket} is the requests' migration bucket; {@code pinned} says whether the user
 * had a pin when the sample was exported. A file of bare addresses or networks, one a line
 * (optionally with a request count), is read too.
 */
public final class SampleFile {

    /** One line of a sample file; {@code userLogHash} 0 for requests without a user id. */
    public record Line(InetAddress network, int prefixLength, long requests, int bucket, long userLogHash, boolean pinned) {

        public boolean hasUser() {
            return userLogHash != 0;
        }

        /** As a sample entry: the user's in-memory hash is not in the file, only the keyed one. */
        public SampledTraffic toSampled() {
            return new SampledTraffic(network, prefixLength, hasUser() ? ANONYMOUS_USER : 0, bucket, requests, userLogHash);
        }
    }

    /** Stands for a user whose id the file does not have: no pin table holds this hash. */
    static final long ANONYMOUS_USER = 0x5eed_5eed_5eed_5eedL;

    static final String HEADER = "# homeport traffic sample: network\trequests\tbucket\tuser (keyed hash, as the access log's user_hash)\tpinned\n";

    private SampleFile() {}

    /** The sample as text; {@code pins} (may be null) says which users are pinned now. */
    public static String write(List<SampledTraffic> sample, ResidencyTable pins) {
        StringBuilder text = new StringBuilder(HEADER);
        for (SampledTraffic entry : sample) {
            boolean pinned = entry.hasUser() && pins != null && pins.regionOfHash(entry.userHash()) != null;
            text.append(IpAddresses.toText(entry.network())).append('/').append(entry.prefixLength()).append('\t')
                    .append(entry.requests()).append('\t').append(entry.bucket()).append('\t')
                    .append(entry.hasUser() ? UserHashKey.text(entry.userLogHash()) : "-").append('\t')
                    .append(pinned ? "pinned" : "-").append('\n');
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
                        + "\" (expected: ADDRESS-OR-NETWORK [REQUESTS], or NETWORK REQUESTS BUCKET USER PINNED as GET /traffic-sample writes)");
            }
            lines.add(parsed.get());
        }
        return lines;
    }

    private static Optional<Line> parse(String[] fields) {
        String first = fields[0];
        int slash = first.indexOf('/');
        Optional<InetAddress> address = IpAddresses.parseLiteral(slash < 0 ? first : first.substring(0, slash));
        if (address.isEmpty() || (fields.length > 2 && fields.length != 5)) {
            return Optional.empty();
        }
        int maxPrefix = address.get() instanceof Inet4Address ? 32 : 128;
        try {
            int prefix = slash < 0 ? maxPrefix : Integer.parseInt(first.substring(slash + 1));
            long requests = fields.length >= 2 ? Long.parseLong(fields[1]) : 1;
            int bucket = fields.length == 5 ? Integer.parseInt(fields[2]) : MigrationBucket.of(address.get());
            long userLogHash = 0;
            boolean pinned = false;
            if (fields.length == 5) {
                if (!fields[3].equals("-")) {
                    if (fields[3].length() != 16) {
                        return Optional.empty();
                    }
                    userLogHash = HexFormat.fromHexDigitsToLong(fields[3]);
                }
                if (!fields[4].equals("-") && !fields[4].equals("pinned")) {
                    return Optional.empty();
                }
                pinned = fields[4].equals("pinned");
            }
            if (requests < 0 || bucket < 0 || bucket >= MigrationBucket.BUCKETS || prefix < 0 || prefix > maxPrefix
                    || (pinned && userLogHash == 0)) {
                return Optional.empty();
            }
            return Optional.of(new Line(address.get(), prefix, requests, bucket, userLogHash, pinned));
        } catch (IllegalArgumentException e) { // NumberFormatException, and a bad hex digit
            return Optional.empty();
        }
    }
}
