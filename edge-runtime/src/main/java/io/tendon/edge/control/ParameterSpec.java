package io.tendon.edge.control;

import java.math.BigDecimal;

/**
 * One configuration parameter, declared once: its key, unit, inclusive bounds and default.
 * The tables ({@link ControlParameterTable}, and the simulator's) list every key the real-time
 * path reads; {@link ParameterReader#load} validates values against these declarations.
 *
 * @param key          configuration key, e.g. {@code tendon.safety.max-linear-speed}
 * @param unit         SI unit as people write it ("m/s", "N", "1" for a ratio)
 * @param min          smallest allowed value, inclusive
 * @param max          largest allowed value, inclusive
 * @param defaultValue value used when the key is absent; within [min, max]
 * @param integer      true when only whole numbers are allowed
 * @param description  what the value means, for people
 */
public record ParameterSpec(String key, String unit, double min, double max, double defaultValue, boolean integer,
                        String description) {

    public ParameterSpec {
        if (!(min <= defaultValue && defaultValue <= max)) {
            throw new IllegalArgumentException("default of " + key + " outside its own bounds");
        }
    }

    /** A real-valued parameter. */
    public static ParameterSpec real(String key, String unit, double min, double max, double defaultValue,
                                 String description) {
        return new ParameterSpec(key, unit, min, max, defaultValue, false, description);
    }

    /** A parameter that only takes whole numbers. */
    public static ParameterSpec whole(String key, String unit, long min, long max, long defaultValue, String description) {
        return new ParameterSpec(key, unit, min, max, defaultValue, true, description);
    }

    /** "a whole number in Hz within [100, 4000] (default 1000)", for error messages and docs. */
    public String expectation() {
        return (integer ? "a whole number" : "a number") + " in " + unit + " within [" + format(min) + ", "
                + format(max) + "] (default " + format(defaultValue) + ")";
    }

    /** Shortest exact decimal form of a number: 0.25, 1000, 1.0E-5 becomes 0.00001. */
    public static String format(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
