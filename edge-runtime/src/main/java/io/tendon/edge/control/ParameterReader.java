package io.tendon.edge.control;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads and validates parameter values through a lookup function (key to optional text),
 * so that the real-time code stays free of any configuration framework: the service passes
 * MicroProfile Config's {@code getOptionalValue}, tests pass a map.
 */
public final class ParameterReader {

    /** Plain decimal numbers only: no NaN, Infinity, hex floats or type suffixes. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d{1,3})?");
    private static final Pattern WHOLE = Pattern.compile("[+-]?\\d{1,18}");

    private final Map<String, Double> values;

    private ParameterReader(Map<String, Double> values) {
        this.values = values;
    }

    /**
     * Reads every parameter of {@code table} through {@code lookup}, using the default where
     * the key is absent.
     *
     * @throws InvalidConfigurationException listing every value that is not a number or is
     *                                       out of bounds
     */
    public static ParameterReader load(Collection<ParameterSpec> table, Function<String, Optional<String>> lookup) {
        Map<String, Double> values = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (ParameterSpec p : table) {
            Optional<String> raw = lookup.apply(p.key());
            if (raw == null || raw.isEmpty()) {
                values.put(p.key(), p.defaultValue());
                continue;
            }
            String text = raw.get().trim();
            String problem = check(p, text);
            if (problem != null) {
                problems.add(problem);
            } else {
                values.put(p.key(), Double.parseDouble(text));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
        return new ParameterReader(values);
    }

    /** Null when {@code text} is a valid value of {@code p}, else a message naming key, value, unit and bounds. */
    static String check(ParameterSpec p, String raw) {
        String text = raw.trim();
        boolean syntaxOk = p.integer() ? WHOLE.matcher(text).matches() : DECIMAL.matcher(text).matches();
        if (!syntaxOk) {
            return p.key() + " = '" + text + "' is not " + (p.integer() ? "a whole number" : "a number")
                    + "; expected " + p.expectation();
        }
        double v = Double.parseDouble(text);
        if (v < p.min() || v > p.max()) {
            return p.key() + " = " + text + " " + p.unit() + " is " + (v < p.min() ? "below" : "above")
                    + " its bound; expected " + p.expectation();
        }
        return null;
    }

    /** A lookup over a plain map, for tests and tools. */
    public static Function<String, Optional<String>> lookup(Map<String, String> map) {
        return key -> Optional.ofNullable(map.get(key));
    }

    /** The validated value of {@code p}. */
    public double get(ParameterSpec p) {
        Double v = values.get(p.key());
        if (v == null) {
            throw new IllegalArgumentException(p.key() + " was not part of the loaded table");
        }
        return v;
    }

    public long getLong(ParameterSpec p) {
        return (long) get(p);
    }
}
