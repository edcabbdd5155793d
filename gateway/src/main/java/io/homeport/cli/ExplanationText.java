package io.homeport.cli;

import io.homeport.routing.Explanation;

/** An explanation for people: the answer first, then the numbered steps that led to it. */
final class ExplanationText {

    private ExplanationText() {}

    static String render(Explanation explanation) {
        StringBuilder text = new StringBuilder();
        text.append("region:  ").append(explanation.decision().region()).append('\n');
        text.append("reason:  ").append(explanation.decision().reason().label());
        if (explanation.decision().migration() != null) {
            text.append(" (").append(explanation.decision().migration()).append(')');
        }
        text.append('\n');
        text.append("country: ").append(explanation.decision().country() == null ? "unknown" : explanation.decision().country());
        text.append('\n');
        text.append("route:   ").append(explanation.decision().route().name()).append('\n');
        text.append("order:   ").append(String.join(" -> ", explanation.candidateRegions())).append('\n');
        text.append("steps:\n");
        int number = 1;
        for (String step : explanation.steps()) {
            text.append(String.format("  %d. %s%n", number++, step));
        }
        return text.toString().stripTrailing();
    }
}
