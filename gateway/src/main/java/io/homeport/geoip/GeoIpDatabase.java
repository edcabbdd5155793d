package io.homeport.geoip;

import com.maxmind.db.CHMCache;
import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.Metadata;
import com.maxmind.db.Network;
import com.maxmind.db.Reader;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.model.CityResponse;
import com.maxmind.geoip2.model.CountryResponse;
import com.maxmind.geoip2.model.EnterpriseResponse;
import com.maxmind.geoip2.record.Country;
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
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One opened MaxMind database, answering country lookups. GeoIP2/GeoLite2 Country, City and
 * Enterprise databases are read through the GeoIP2 API; any other MMDB through the MaxMind DB
 * reader, decoding only {@code country.iso_code} or {@code country_code}.
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
    private final DatabaseReader geoIp2;
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

    private GeoIpDatabase(Path file, DatabaseKind kind, Metadata metadata, Reader reader, DatabaseReader geoIp2,
            Ipv4SearchTree ipv4Tree) {
        this.file = file;
        this.kind = kind;
        this.metadata = metadata;
        this.reader = reader;
        this.geoIp2 = geoIp2;
        this.ipv4Tree = ipv4Tree;
        this.description = metadata.databaseType() + " (built " + BUILD_DATE.format(buildTime()) + ") " + file;
    }

    /**
     * Opens and checks {@code file}: it must be a MaxMind DB with country data, and a probe lookup
     * must decode, so a truncated or foreign file is refused here rather than failing requests.
     */
    public static GeoIpDatabase open(Path file) throws InvalidGeoIpDatabaseException {
        if (!Files.isRegularFile(file)) {
            throw new InvalidGeoIpDatabaseException(file, "no such file", null);
        }
        Reader reader;
        byte[] bytes;
        try {
            // One read of the file serves the reader, the GeoIP2 reader and the IPv4 tree walk, so
            // all see the same database even if the file is replaced meanwhile.
            bytes = Files.readAllBytes(file);
            // The node cache memoizes decoded records by offset: a country database has few distinct
            // records, so after warm-up a lookup is a tree walk and a map hit, not a decode.
            reader = new Reader(new ByteArrayInputStream(bytes), new CHMCache());
        } catch (IOException | RuntimeException e) {
            throw new InvalidGeoIpDatabaseException(file, "not a valid MaxMind DB (MMDB) file: " + e.getMessage(), e);
        }
        DatabaseReader geoIp2 = null;
        try {
            Metadata metadata = reader.getMetadata();
            DatabaseKind kind = DatabaseKind.of(metadata.databaseType());
            if (kind != DatabaseKind.COUNTRY_MMDB) {
                // From the same bytes as the reader and the tree walk: one file read, one database.
                geoIp2 = new DatabaseReader.Builder(new ByteArrayInputStream(bytes)).build();
            }
            GeoIpDatabase database = new GeoIpDatabase(file, kind, metadata, reader, geoIp2, Ipv4SearchTree.of(bytes, metadata));
            database.probe();
            return database;
        } catch (IllegalArgumentException e) {
            closeQuietly(reader, geoIp2);
            throw new InvalidGeoIpDatabaseException(file, e.getMessage(), e);
        } catch (IOException | GeoIp2Exception | RuntimeException e) {
            closeQuietly(reader, geoIp2);
            throw new InvalidGeoIpDatabaseException(file, "damaged MaxMind DB: " + e.getMessage(), e);
        }
    }

    /** Decodes a few lookups across the tree; a damaged data section fails here. */
    private void probe() throws IOException, GeoIp2Exception {
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
        } catch (IOException | GeoIp2Exception | RuntimeException e) {
            logger.warn("GeoIP lookup of {} in {} failed: {}", address.getHostAddress(), file, e.toString());
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
            logger.warn("GeoIP lookup of {} in {} failed: {}", IpAddresses.ipv4(address).getHostAddress(), file, e.toString());
            return CountryLookup.FAILED;
        }
    }

    /** The IPv4 tree walk's raw answer, for tests: see {@link Ipv4SearchTree#lookup}; null when the reader walks alone. */
    Long walkIpv4(int address) {
        return ipv4Tree == null ? null : ipv4Tree.lookup(address);
    }

    private CountryLookup lookupOrThrow(InetAddress address) throws IOException, GeoIp2Exception {
        switch (kind) {
            case GEOIP2_COUNTRY: {
                Optional<CountryResponse> response = geoIp2.tryCountry(address);
                return response.isEmpty() ? CountryLookup.NOT_FOUND
                        : of(response.get().country(), response.get().traits().network());
            }
            case GEOIP2_CITY: {
                Optional<CityResponse> response = geoIp2.tryCity(address);
                return response.isEmpty() ? CountryLookup.NOT_FOUND
                        : of(response.get().country(), response.get().traits().network());
            }
            case GEOIP2_ENTERPRISE: {
                Optional<EnterpriseResponse> response = geoIp2.tryEnterprise(address);
                return response.isEmpty() ? CountryLookup.NOT_FOUND
                        : of(response.get().country(), response.get().traits().network());
            }
            default: {
                DatabaseRecord<CountryRecord> found = reader.getRecord(address, CountryRecord.class);
                if (found.data() == null) {
                    return CountryLookup.NOT_FOUND;
                }
                return of(found.data().isoCode(), found.network());
            }
        }
    }

    private static CountryLookup of(Country country, Network network) {
        return of(country == null ? null : country.isoCode(), network);
    }

    private static CountryLookup of(String isoCode, Network network) {
        String matched = network == null ? null
                : IpAddresses.toText(network.networkAddress()) + '/' + network.prefixLength();
        return isoCode == null ? CountryLookup.noCountry(matched) : CountryLookup.found(isoCode, matched);
    }

    @Override
    public void close() {
        closeQuietly(reader, geoIp2);
    }

    private static void closeQuietly(Reader reader, DatabaseReader geoIp2) {
        try {
            reader.close();
            if (geoIp2 != null) {
                geoIp2.close();
            }
        } catch (IOException e) {
            logger.debug("closing a GeoIP database failed", e);
        }
    }
}
