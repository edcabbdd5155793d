package io.homeport.routing;

import io.homeport.rules.Problem;
import io.homeport.rules.RuleTest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Runs a rules file's {@code tests:} against a snapshot; each failure is a located problem. */
public final class RuleTestRunner {

    /** Stands in for the client when a test names a country or no address at all. */
    private static final InetAddress UNSPECIFIED = IpAddresses.parseLiteral("0.0.0.0").orElseThrow();

    private RuleTestRunner() {}

    /** The failed tests of {@code snapshot.rules()}, as problems in the rules file; empty when all pass. */
    public static List<Problem> run(RoutingSnapshot snapshot) {
        List<Problem> failures = new ArrayList<>();
        String file = snapshot.rules().source().file().toString();
        for (RuleTest test : snapshot.rules().tests()) {
            InetAddress address = test.ip().flatMap(IpAddresses::parseLiteral).orElse(UNSPECIFIED);
            RoutingRequest request = new RoutingRequest(address, test.user().orElse(null), test.host().orElse(null), test.path().orElse(null));
            Decision decision;
            if (test.country().isPresent()) {
                decision = snapshot.decide(request, CountryLookup.found(test.country().get(), null));
            } else if (test.ip().isPresent()) {
                decision = snapshot.decide(request);
            } else {
                decision = snapshot.decide(request, CountryLookup.NOT_FOUND);
            }
            boolean regionOk = decision.region().equals(test.expect());
            boolean reasonOk = test.expectReason().map(r -> r.equals(decision.reason().label())).orElse(true);
            if (!regionOk || !reasonOk) {
                failures.add(new Problem(file, test.line(), test.column(), "test failed: " + describe(test)
                        + " expected " + test.expect() + test.expectReason().map(r -> " by " + r).orElse("")
                        + ", got " + decision.region() + " by " + decision.reason().label()
                        + (decision.country() == null ? " (no country known)" : " (country " + decision.country() + ")")));
            }
        }
        return failures;
    }

    private static String describe(RuleTest test) {
        StringBuilder request = new StringBuilder("{");
        test.ip().ifPresent(ip -> request.append("ip: ").append(ip).append(", "));
        test.country().ifPresent(c -> request.append("country: ").append(c).append(", "));
        test.user().ifPresent(u -> request.append("user: ").append(u).append(", "));
        test.host().ifPresent(h -> request.append("host: ").append(h).append(", "));
        test.path().ifPresent(p -> request.append("path: ").append(p).append(", "));
        if (request.length() > 1) {
            request.setLength(request.length() - 2);
        }
        return request.append('}').toString();
    }
}
