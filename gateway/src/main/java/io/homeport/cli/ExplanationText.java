package io.homeport.cli;

import io.homeport.proxy.ClientIp;
import io.homeport.routing.Explanation;
import io.homeport.routing.IpAddresses;

/** An explanation for people: the answer first, then the numbered steps that led to it. */
final class ExplanationText {

    private ExplanationText() {}

    static String render(Explanation explanation) {
        return render(explanation, null);
    }

    /** @param clientIp where the client address came from, or null when it was given as it is */
    static String render(Explanation explanation, ClientIp clientIp) {
        StringBuilder text = new StringBuilder();
        text.append("region:  ").append(explanation.decision().refused() ? "none: refused with 503"
                : explanation.decision().region()).append('\n');
        text.append("reason:  ").append(explanation.decision().reason().label());
        if (explanation.decision().migration() != null) {
            text.append(" (").append(explanation.decision().migration()).append(')');
        }
        text.append('\n');
        text.append("country: ").append(explanation.decision().country() == null ? "unknown" : explanation.decision().country());
        text.append('\n');
        if (clientIp != null) {
            text.append("client:  ").append(IpAddresses.toText(explanation.request().clientAddress())).append(" from ")
                    .append(clientIp.source().label()).append(clientIp.fromHeader() ? " hop " + clientIp.hop() + " from the right" : "")
                    .append('\n');
        }
        text.append("route:   ").append(explanation.decision().route().name()).append('\n');
        if (!explanation.candidateRegions().isEmpty()) {
            text.append("order:   ").append(String.join(" -> ", explanation.candidateRegions())).append('\n');
        }
        text.append("steps:\n");
        int number = 1;
        for (String step : explanation.steps()) {
            text.append(String.format("  %d. %s%n", number++, step));
        }
        return text.toString().stripTrailing();
    }
}
