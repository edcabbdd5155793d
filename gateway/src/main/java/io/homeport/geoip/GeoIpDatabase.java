package io.homeport.geoip;

import com.maxmind.db.CHMCache;
import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.InvalidNetworkException;
import com.maxmind.db.Metadata;
import com.maxmind.db.Network;
import com.maxmind.db.Networks;
import com.maxmind.db.Reader;
import io.homeport.routing.CountryLookup;
import io.homeport.routing.GeoLookup;
import io.homeport.routing.IpAddresses;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One opened and {@link MmdbVerifier verified} MaxMind database, answering country lookups.
 * GeoIP2/GeoLite2 Country, City and Enterprise databases and any other MMDB with country codes are
 * all read through the MaxMind DB reader, decoding only {@code country.iso_code} or {@code
 * country_code}: the one decode the verifier guarantees for every record.
 *
 * <p>The file is read into memory rather than memory-mapped: a database overwritten in place by
 * an update job would otherwise crash the process with SIGBUS instead of being refused on reload.
 */
public final class GeoIpDatabase implements GeoLookup, Closeable {

    private static final Logger logger = LoggerFactory.getLogger(GeoIpDatabase.class);
    private static final DateTimeFormatter BUILD_DATE = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

    private final Path file;
    private final DatabaseKind kind;
    private final Metadata metadata;
    private final Reader reader;
    private final String description;
    private final java.util.concurrent.ConcurrentHashMap<String, CountryLookup> answers = new java.util.concurrent.ConcurrentHashMap<>();
    private static final CountryLookup NO_COUNTRY = CountryLookup.noCountry(null);

    /** The IPv4 tree walk of {@link #lookupIpv4}, or null to use the reader alone. */
    private final Ipv4SearchTree ipv4Tree;
    /**
     * Decoded answers by record (data offset), direct-mapped: a country database has a few hundred
     * distinct records, so after warm-up an IPv4 lookup is a tree walk and one array read. A
     * collision only costs a decode by the reader. Entries are immutable, so racy writes are safe.
     */
    private final RecordAnswer[] answersByRecord = new RecordAnswer[RECORD_SLOTS];
    private static final int RECORD_SLOTS = 1 << 12;

    private record RecordAnswer(long record, CountryLookup lookup) {}

    private GeoIpDatabase(Path file, DatabaseKind kind, Metadata metadata, Reader reader, Ipv4SearchTree ipv4Tree) {
        this.file = file;
        this.kind = kind;
        this.metadata = metadata;
        this.reader = reader;
        this.ipv4Tree = ipv4Tree;
        this.description = metadata.databaseType() + " (built " + BUILD_DATE.format(buildTime()) + ") " + file;
    }

    /**
     * Opens {@code file} after {@link MmdbVerifier verifying the whole of it}: metadata, every
     * search-tree record and every data record. A damaged, truncated or foreign file is refused
     * here, with what and where, rather than failing (or misrouting) requests later. Verifying
     * reads the whole file: call it off the event loops.
     */
    public static GeoIpDatabase open(Path file) throws InvalidGeoIpDatabaseException {
        if (!Files.isRegularFile(file)) {
            throw new InvalidGeoIpDatabaseException(file, "no such file", null);
        }
        byte[] bytes;
        try {
            // One read of the file serves the verifier, the reader, the GeoIP2 reader and the IPv4
            // tree walk, so all see the same database even if the file is replaced meanwhile.
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidGeoIpDatabaseException(file, "cannot read: " + describe(e), e);
        }
        try {
            MmdbVerifier.verify(bytes);
        } catch (MmdbVerifier.Damage damage) {
            throw new InvalidGeoIpDatabaseException(file, damage.getMessage(), damage);
        }
        Reader reader;
        try {
            // The node cache memoizes decoded records by offset: a country database has few distinct
            // records, so after warm-up a lookup is a tree walk and a map hit, not a decode.
            reader = new Reader(new ByteArrayInputStream(bytes), new CHMCache());
        } catch (IOException | RuntimeException e) {
            throw new InvalidGeoIpDatabaseException(file, "not a valid MaxMind DB (MMDB) file: " + describe(e), e);
        }
        try {
            Metadata metadata = reader.getMetadata();
            DatabaseKind kind = DatabaseKind.of(metadata.databaseType());
            GeoIpDatabase database = new GeoIpDatabase(file, kind, metadata, reader, Ipv4SearchTree.of(bytes, metadata));
            database.probe();
            return database;
        } catch (IllegalArgumentException e) {
            closeQuietly(reader);
            throw new InvalidGeoIpDatabaseException(file, describe(e), e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(reader);
            throw new InvalidGeoIpDatabaseException(file, "damaged MaxMind DB: " + describe(e), e);
        }
    }

    /** A library's message, never a bare {@code null}: the exception's kind when it has none. */
    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** Decodes a few lookups across the tree: a last check, after the verifier's, that the reader agrees. */
    private void probe() throws IOException {
        for (String address : new String[] {"1.1.1.1", "8.8.8.8", "1.2.4.8", "2001:4860:4860::8888"}) {
            InetAddress probe = InetAddress.getByName(address);
            if (probe.getAddress().length == 16 && metadata.ipVersion() == 4) {
                continue;
            }
            lookupOrThrow(probe);
        }
    }

    public Path file() {
        return file;
    }

    public DatabaseKind kind() {
        return kind;
    }

    public String databaseType() {
        return metadata.databaseType();
    }

    public Instant buildTime() {
        return metadata.buildTime();
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public CountryLookup lookup(InetAddress address) {
        try {
            return lookupOrThrow(address);
        } catch (IOException | RuntimeException e) {
            LookupErrors.record(file, address.getHostAddress(), e);
            return CountryLookup.FAILED;
        }
    }

    /**
     * The hot path: the IPv4 tree walked without allocating, then the answer for the record it
     * found, decoded once per record (by the reader, as below) and kept by the record's offset.
     * The matched network is left out (explanations use {@link #lookup}, which reports it).
     */
    @Override
    public CountryLookup lookupIpv4(int address) {
        if (ipv4Tree == null) {
            return readIpv4(address);
        }
        long record = ipv4Tree.lookup(address);
        if (record == Ipv4SearchTree.NO_RECORD) {
            return CountryLookup.NOT_FOUND;
        }
        if (record == Ipv4SearchTree.INVALID) {
            return readIpv4(address); // let the reader judge (and report) it
        }
        long offset = record >>> 6;
        int slot = (int) (offset ^ offset >>> 12) & (RECORD_SLOTS - 1);
        RecordAnswer known = answersByRecord[slot];
        if (known != null && known.record == offset) {
            return known.lookup;
        }
        CountryLookup answer = readIpv4(address);
        if (answer.outcome() != CountryLookup.Outcome.FAILED) {
            answersByRecord[slot] = new RecordAnswer(offset, answer);
        }
        return answer;
    }

    /** The lean record through the MaxMind DB reader whatever the database kind, with one shared answer per country. */
    CountryLookup readIpv4(int address) {
        try {
            CountryRecord record = reader.get(IpAddresses.ipv4(address), CountryRecord.class);
            if (record == null) {
                return CountryLookup.NOT_FOUND;
            }
            String code = record.isoCode();
            return code == null ? NO_COUNTRY : answers.computeIfAbsent(code, c -> CountryLookup.found(c, null));
        } catch (IOException | RuntimeException e) {
            LookupErrors.record(file, IpAddresses.ipv4(address).getHostAddress(), e);
            return CountryLookup.FAILED;
        }
    }

    /** The IPv4 tree walk's raw answer, for tests: see {@link Ipv4SearchTree#lookup}; null when the reader walks alone. */
    Long walkIpv4(int address) {
        return ipv4Tree == null ? null : ipv4Tree.lookup(address);
    }

    /**
     * Every kind of database is read as the lean {@link CountryRecord}: the one decode that
     * {@link MmdbVerifier} guarantees for every record (the full GeoIP2 models would also decode
     * names, locations and traits that the decision never reads, and fail on any of them).
     */
    private CountryLookup lookupOrThrow(InetAddress address) throws IOException {
        DatabaseRecord<CountryRecord> found = reader.getRecord(address, CountryRecord.class);
        if (found.data() == null) {
            // The network without a record, when the reader tells it: a cache may keep the answer for all of it.
            return found.network() == null ? CountryLookup.NOT_FOUND
                    : new CountryLookup(null, CountryLookup.Outcome.NOT_FOUND, text(found.network()));
        }
        String matched = found.network() == null ? null : text(found.network());
        String isoCode = found.data().isoCode();
        return isoCode == null ? CountryLookup.noCountry(matched) : CountryLookup.found(isoCode, matched);
    }

    private static String text(Network network) {
        return IpAddresses.toText(network.networkAddress()) + '/' + network.prefixLength();
    }

    /** Told of every network a database has a record for, by {@link #forEachNetwork}. */
    @FunctionalInterface
    public interface NetworkVisitor {
        /** {@code country} is null for a record without one; IPv4 networks come as IPv4. */
        void visit(InetAddress network, int prefixLength, String country);
    }

    /**
     * Walks every network with a record (IPv4 aliases such as {@code ::ffff:0:0/96} skipped): for
     * comparing two databases ({@code homeport diff}), never on an event loop.
     */
    public void forEachNetwork(NetworkVisitor visitor) throws IOException {
        Networks<CountryRecord> networks;
        try {
            networks = reader.networks(false, CountryRecord.class);
        } catch (InvalidNetworkException e) {
            throw new IOException(file + ": " + describe(e), e);
        }
        while (networks.hasNext()) {
            DatabaseRecord<CountryRecord> record = networks.next();
            InetAddress address = record.network().networkAddress();
            int prefix = record.network().prefixLength();
            byte[] bytes = address.getAddress();
            if (bytes.length == 16 && prefix >= 96 && isIpv4Subtree(bytes)) {
                address = InetAddress.getByAddress(Arrays.copyOfRange(bytes, 12, 16));
                prefix -= 96;
            }
            visitor.visit(address, prefix, record.data() == null ? null : record.data().isoCode());
        }
    }

    private static boolean isIpv4Subtree(byte[] ipv6) {
        for (int i = 0; i < 12; i++) {
            if (ipv6[i] != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        closeQuietly(reader);
    }

    private static void closeQuietly(Reader reader) {
        try {
            reader.close();
        } catch (IOException e) {
            logger.debug("closing a GeoIP database failed", e);
        }
    }
}
