package io.homeport.tls;

import io.homeport.config.GatewayConfig;
import io.homeport.reload.FileStamp;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS listener's certificates as the SNI handler sees them: a host name (or none) maps to the
 * SslContext of the certificate that names it, {@code *.example.com} wildcards included; the
 * first certificate serves clients that send no name or a name no certificate has.
 *
 * <p>{@link #reloadIfChanged()} rebuilds every context from the files when any of them changed,
 * and swaps the whole mapping in one step; a handshake reads it once. A new set that does not
 * load is refused and logged, and the old one keeps serving until the files change again.
 * Reloads run on the caller's thread, never on an event loop.
 */
public final class SniCertificates implements Mapping<String, SslContext> {

    private static final Logger logger = LoggerFactory.getLogger(SniCertificates.class);

    /** What serves. */
    private record Loaded(Mapping<String, SslContext> byName, List<ServerCertificate> certificates) {}

    private final GatewayConfig.Tls tls;
    private final SslProvider provider;
    private final AtomicReference<Loaded> serving = new AtomicReference<>();
    /** The stamps of the files last tried, whether they loaded or were refused. */
    private volatile List<FileStamp> lastTried;

    private SniCertificates(GatewayConfig.Tls tls, SslProvider provider) {
        this.tls = tls;
        this.provider = provider;
    }

    /** Loads every certificate of the listener, failing on the first that cannot serve. */
    public static SniCertificates load(GatewayConfig.Tls tls, SslProvider provider) throws InvalidCertificateException {
        SniCertificates certificates = new SniCertificates(tls, provider);
        certificates.lastTried = certificates.stamps();
        certificates.serving.set(certificates.build());
        return certificates;
    }

    @Override
    public SslContext map(String hostname) {
        return serving.get().byName().map(hostname);
    }

    /** The certificates serving now, first the default. */
    public List<ServerCertificate> certificates() {
        return serving.get().certificates();
    }

    /** The files this listener serves from: what a watcher polls. */
    List<Path> files() {
        List<Path> files = new ArrayList<>();
        for (GatewayConfig.Certificate certificate : tls.certificates()) {
            files.add(certificate.cert());
            files.add(certificate.key());
        }
        return files;
    }

    /** What {@link #reloadIfChanged()} did. */
    public enum Reload { UNCHANGED, RELOADED, REFUSED }

    /** Rebuilds when any file changed since the last attempt. */
    public Reload reloadIfChanged() {
        List<FileStamp> stamps = stamps();
        if (stamps.equals(lastTried)) {
            return Reload.UNCHANGED;
        }
        lastTried = stamps;
        try {
            Loaded loaded = build();
            serving.set(loaded);
            logger.info("TLS certificates reloaded: {}", describe(loaded.certificates()));
            return Reload.RELOADED;
        } catch (InvalidCertificateException e) {
            // Often a half-done replacement (new certificate, old key): the next change retries.
            logger.warn("TLS certificates refused, the previous ones keep serving: {}", e.getMessage());
            return Reload.REFUSED;
        }
    }

    private Loaded build() throws InvalidCertificateException {
        List<ServerCertificate> certificates = new ArrayList<>();
        for (GatewayConfig.Certificate files : tls.certificates()) {
            certificates.add(ServerCertificate.load(files));
        }
        DomainWildcardMappingBuilder<SslContext> byName = null;
        Set<String> named = new HashSet<>();
        for (ServerCertificate certificate : certificates) {
            SslContext context = ServerSslContexts.build(certificate, provider);
            if (byName == null) {
                byName = new DomainWildcardMappingBuilder<>(context);
            }
            for (String name : certificate.names()) {
                if (!isSupported(name)) {
                    logger.warn("{}: name {} ignored: only a leading \"*.\" wildcard is supported", certificate.certFile(), name);
                } else if (named.add(name)) {
                    byName.add(name, context); // the first certificate naming a host wins, in the listener's order
                }
            }
        }
        return new Loaded(byName.build(), certificates);
    }

    private static boolean isSupported(String name) {
        int wildcard = name.indexOf('*');
        return wildcard < 0 || (name.startsWith("*.") && name.length() > 2 && name.indexOf('*', 1) < 0);
    }

    private List<FileStamp> stamps() {
        return files().stream().map(FileStamp::of).toList();
    }

    static String describe(List<ServerCertificate> certificates) {
        StringBuilder text = new StringBuilder();
        for (ServerCertificate certificate : certificates) {
            if (text.length() > 0) {
                text.append("; ");
            }
            text.append(certificate.certFile()).append(' ').append(certificate.names())
                    .append(" until ").append(certificate.leaf().getNotAfter().toInstant());
        }
        return text.toString();
    }
}
