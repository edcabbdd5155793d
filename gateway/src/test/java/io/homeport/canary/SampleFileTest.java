package io.homeport.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homeport.accesslog.UserHashKey;
import io.homeport.proxy.ExchangeListener;
import io.homeport.residency.ResidencyTable;
import io.homeport.residency.MigrationBucket;
import io.homeport.routing.IpAddresses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleFileTest {

    @TempDir
    Path dir;

    @Test
    void anExportedSampleReadsBackWithKeyedHashesNotUserIds() throws Exception {
        TrafficSample sample = new TrafficSample(ExchangeListener.NONE, UserHashKey.DEMO);
        sample.record(IpAddresses.parseLiteral("1.2.4.8").orElseThrow(), "acct-00004711");
        sample.record(IpAddresses.parseLiteral("1.2.4.9").orElseThrow(), "u-pinned");
        sample.record(IpAddresses.parseLiteral("2400:da00::1").orElseThrow(), null);
        ResidencyTable pins = ResidencyTable.load(Files.writeString(dir.resolve("users.csv"), "user_id,region\nu-pinned,us\n"),
                "users.csv", List.of("us"));
        String text = SampleFile.write(sample.entries(), pins);
        assertThat(text).doesNotContain("acct-00004711").doesNotContain("u-pinned")
                .contains("1.2.4.0/24\t1\t" + MigrationBucket.of("acct-00004711") + "\t" + UserHashKey.DEMO.hash("acct-00004711") + "\t-\n")
                .contains("\t" + UserHashKey.DEMO.hash("u-pinned") + "\tpinned\n")
                .contains("2400:da00::/48\t1\t");
        List<SampleFile.Line> lines = SampleFile.read(Files.writeString(dir.resolve("s.tsv"), text));
        assertThat(lines).hasSize(3);
        SampleFile.Line user = lines.stream().filter(line -> line.bucket() == MigrationBucket.of("acct-00004711")).findFirst().orElseThrow();
        assertThat(UserHashKey.text(user.userLogHash())).isEqualTo(UserHashKey.DEMO.hash("acct-00004711"));
        assertThat(user.pinned()).isFalse();
        assertThat(lines).filteredOn(SampleFile.Line::pinned).singleElement()
                .satisfies(line -> assertThat(UserHashKey.text(line.userLogHash())).isEqualTo(UserHashKey.DEMO.hash("u-pinned")));
        SampleFile.Line v6 = lines.stream().filter(line -> line.prefixLength() == 48).findFirst().orElseThrow();
        assertThat(v6.hasUser()).isFalse();
        assertThat(v6.toSampled().hasUser()).isFalse();
    }

    @Test
    void aFileOfAddressesIsASampleToo() throws IOException {
        Path file = Files.writeString(dir.resolve("addresses.txt"), "# clients\n1.2.4.8\n8.8.8.8 25\n\n2001:4860::1\n");
        List<SampleFile.Line> lines = SampleFile.read(file);
        assertThat(lines).extracting(SampleFile.Line::requests).containsExactly(1L, 25L, 1L);
        assertThat(lines.get(0).bucket()).isEqualTo(MigrationBucket.of(IpAddresses.parseLiteral("1.2.4.8").orElseThrow()));
    }

    @Test
    void aBadLineIsAnErrorNamingTheFileAndTheLine() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.tsv"), "1.2.4.0/24\t5\t17\ta3e7e77cecd85e7a\t-\nnot-an-address\n");
        assertThatThrownBy(() -> SampleFile.read(file)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(file + ":2: \"not-an-address\"");
        Path bucket = Files.writeString(dir.resolve("bucket.tsv"), "1.2.4.0/24\t5\t10000\t-\t-\n");
        assertThatThrownBy(() -> SampleFile.read(bucket)).hasMessageStartingWith(bucket + ":1:");
    }
}
