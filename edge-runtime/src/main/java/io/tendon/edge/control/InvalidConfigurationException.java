package io.tendon.edge.control;

import java.util.List;

/**
 * Start-up refused: one or more configuration values are missing their bounds or are not
 * numbers. The message lists every problem, each naming key, value, unit and bounds.
 */
public final class InvalidConfigurationException extends IllegalArgumentException {

    private final List<String> problems;

    public InvalidConfigurationException(List<String> problems) {
        super("Invalid configuration:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem. */
    public List<String> problems() {
        return problems;
    }
}
