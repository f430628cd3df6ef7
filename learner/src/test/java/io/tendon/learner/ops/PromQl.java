package io.tendon.learner.ops;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression (or a Grafana variable query) reads. Not a parser: string
 * literals, label matchers, ranges, grouping clauses and Grafana variables are cut out, and the
 * identifiers left that are not followed by "(" (functions, aggregations) and are not keywords
 * are metric names. Enough for the expressions in k8s/monitoring, which a test proves.
 */
final class PromQl {

    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "bool", "offset", "inf", "nan", "Inf", "NaN");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\()?");

    private PromQl() {
    }

    static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher lv = LABEL_VALUES.matcher(expr);
        if (lv.find()) {
            names.add(lv.group(1));
            return names;
        }
        String s = expr
                .replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")                       // string literals
                .replaceAll("\\$\\{[^}]*\\}|\\$\\w+", "1")                          // Grafana variables
                .replaceAll("\\{[^}]*\\}", " ")                                     // label matchers
                .replaceAll("\\[[^\\]]*\\]", " ")                                   // ranges
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "");
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String id = m.group(1);
            if (m.group(2) == null && !KEYWORDS.contains(id)) {
                names.add(id);
            }
        }
        return names;
    }
}
