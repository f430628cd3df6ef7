package io.tendon.edge.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.edge.sim.SimParameterTable;
import io.tendon.edge.sim.SimSettings;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every parameter refuses every kind of invalid value at start-up, with a message that says what is wrong. */
class ParameterReaderTest {

    static Stream<ParameterSpec> everyParameter() {
        List<ParameterSpec> all = new ArrayList<>(ControlParameterTable.ALL);
        all.addAll(SimParameterTable.ALL);
        return all.stream();
    }

    static Stream<Arguments> everyInvalidValue() {
        return everyParameter().flatMap(p -> {
            List<Arguments> cases = new ArrayList<>();
            double span = p.max() - p.min();
            String below = p.integer() ? plain(p.min() - Math.max(1, Math.floor(span * 0.01)))
                    : plain(p.min() - Math.max(span * 0.01, 1e-6));
            String above = p.integer() ? plain(p.max() + Math.max(1, Math.floor(span * 0.01)))
                    : plain(p.max() + Math.max(span * 0.01, 1e-6));
            cases.add(Arguments.of(p, below, "below"));
            cases.add(Arguments.of(p, above, "above"));
            for (String text : new String[] {"abc", "NaN", "Infinity", "1e", "0x10", "12 Hz", "--1"}) {
                cases.add(Arguments.of(p, text, "not a"));
            }
            if (p.integer()) {
                cases.add(Arguments.of(p, "1.5", "not a whole number"));
            }
            return cases.stream();
        });
    }

    private static String plain(double v) {
        return new BigDecimal(v).round(new java.math.MathContext(12)).stripTrailingZeros().toPlainString();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("everyInvalidValue")
    void invalidValueIsRefusedNamingKeyValueUnitAndBounds(ParameterSpec p, String value, String reason) {
        Map<String, String> config = Map.of(p.key(), value);
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> {
            if (p.key().startsWith("tendon.sim.")) {
                SimSettings.with(config);
            } else {
                ControlSettings.with(config);
            }
        });
        String message = e.getMessage();
        assertEquals(1, e.problems().size(), message);
        assertTrue(message.contains(p.key()), message);
        assertTrue(message.contains(value), message);
        assertTrue(message.contains(reason), message);
        assertTrue(message.contains(" in " + p.unit() + " "), message);
        assertTrue(message.contains("[" + ParameterSpec.format(p.min()) + ", " + ParameterSpec.format(p.max()) + "]"), message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyParameter")
    void boundsAndDefaultAreAccepted(ParameterSpec p) {
        assertNull(ParameterReader.check(p, ParameterSpec.format(p.min())));
        assertNull(ParameterReader.check(p, ParameterSpec.format(p.max())));
        assertNull(ParameterReader.check(p, " " + ParameterSpec.format(p.defaultValue()) + " "));
        assertTrue(p.description().length() > 10, "documented: " + p.key());
        assertTrue(p.key().matches("tendon\\.(control|admittance|safety|sim)\\.[a-z0-9.-]+"), p.key());
    }

    @Test
    void everyKeyIsDeclaredOnce() {
        Set<String> keys = new HashSet<>();
        everyParameter().forEach(p -> assertTrue(keys.add(p.key()), "declared twice: " + p.key()));
    }

    @Test
    void defaultsLoadAndAllProblemsAreListedTogether() {
        ControlSettings s = ControlSettings.defaults();
        assertEquals(1000, s.rateHz);
        assertEquals(1_000_000, s.periodNanos);
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ControlSettings.with(Map.of("tendon.control.rate-hz", "50", "tendon.safety.max-linear-speed", "x")));
        assertEquals(2, e.problems().size(), e.getMessage());
    }

    @Test
    void relationsBetweenParametersAreChecked() {
        assertRefused(Map.of("tendon.safety.stiffness-min-linear", "600", "tendon.safety.stiffness-max-linear", "500",
                "tendon.admittance.default-stiffness-linear", "550"), "tendon.safety.stiffness-min-linear = 600 N/m is not below");
        assertRefused(Map.of("tendon.admittance.default-stiffness-angular", "500"),
                "tendon.admittance.default-stiffness-angular = 500 N*m/rad is outside");
        assertRefused(Map.of("tendon.safety.workspace.z-min", "0.5"), "tendon.safety.workspace.z-min = 0.5 m is not below");
        assertRefused(Map.of("tendon.control.rate-hz", "100", "tendon.admittance.wrench-cutoff-hz", "60"),
                "above half of tendon.control.rate-hz");
        assertRefused(Map.of("tendon.control.rate-hz", "4000", "tendon.control.spin-window-us", "300"),
                "is not shorter than the control period");
    }

    private static void assertRefused(Map<String, String> config, String expected) {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ControlSettings.with(config));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
