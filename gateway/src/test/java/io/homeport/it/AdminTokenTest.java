package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin listener of a running gateway with {@code admin.token} set: probes stay open, the rest needs the token. */
class AdminTokenTest {

    static final String TOKEN = "integration-admin-token-42";

    @TempDir
    Path directory;

    TestGateway gateway;

    @BeforeEach
    void start() throws Exception {
        gateway = new TestGateway(directory, TestGateway.Extras.withAdminToken(TOKEN));
    }

    @AfterEach
    void stop() {
        gateway.close();
        LeakCheck.assertNoLeaks();
    }

    @Test
    void probesNeedNoToken() throws Exception {
        assertThat(admin("GET", "/healthz", null).statusCode()).isEqualTo(200);
        assertThat(admin("GET", "/readyz", null).statusCode()).isEqualTo(200);
    }

    @Test
    void everythingElseNeedsTheToken() throws Exception {
        for (String path : new String[] {"/metrics", "/config", "/explain?ip=1.2.4.8"}) {
            HttpResponse<String> without = admin("GET", path, null);
            assertThat(without.statusCode()).as(path).isEqualTo(401);
            assertThat(without.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertThat(without.body()).contains("\"error\"");

            assertThat(admin("GET", path, "Bearer not-" + TOKEN).statusCode()).as(path).isEqualTo(401);
            assertThat(admin("GET", path, "Bearer " + TOKEN).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(admin("POST", "/reload", null).statusCode()).isEqualTo(401);
        assertThat(admin("POST", "/reload", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> admin(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.admin(path)).method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return gateway.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
