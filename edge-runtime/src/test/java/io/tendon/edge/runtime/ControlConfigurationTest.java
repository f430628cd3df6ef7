package io.tendon.edge.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.InvalidConfigurationException;
import io.tendon.edge.sim.SimSettings;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Start-up validation through MicroProfile Config, as the service does it, without booting Quarkus. */
class ControlConfigurationTest {

    private static SmallRyeConfig config(Map<String, String> values) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(values, "test", 500)).build();
    }

    @Test
    void invalidValueFromConfigStopsStartUpNamingTheKey() {
        SmallRyeConfig c = config(Map.of("tendon.safety.max-contact-force", "900"));
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ControlSettings.load(key -> c.getOptionalValue(key, String.class)));
        assertTrue(e.getMessage().contains("tendon.safety.max-contact-force = 900 N is above its bound; expected a number"
                + " in N within [1, 500] (default 40)"), e.getMessage());
        SmallRyeConfig good = config(Map.of("tendon.control.rate-hz", "500", "tendon.sim.step-rate-hz", "20"));
        assertEquals(500, ControlSettings.load(key -> good.getOptionalValue(key, String.class)).rateHz);
        assertEquals(20, SimSettings.load(key -> good.getOptionalValue(key, String.class)).stepRateHz);
    }

    @Test
    void misspeltKeysInOurNamespacesAreRefused() {
        List<String> problems = ControlService.unknownKeys(List.of("tendon.safety.max-linear-sped",
                "tendon.control.rate-hz", "tendon.sim.seed", "tendon.edge.robot-id", "quarkus.http.port"));
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith("tendon.safety.max-linear-sped is not a known parameter"));
    }

    @Test
    void bridgeAndClockMustFit() {
        assertEquals("wall", ControlService.resolveClock("sim", "auto"));
        assertEquals("robot", ControlService.resolveClock("grpc", "auto"));
        assertEquals("simulated", ControlService.resolveClock("sim", "simulated"));
        assertTrue(assertThrows(InvalidConfigurationException.class, () -> ControlService.resolveClock("grpc", "wall"))
                .getMessage().contains("tendon.edge.clock = wall does not fit tendon.edge.bridge = grpc"));
        assertThrows(InvalidConfigurationException.class, () -> ControlService.resolveClock("sim", "robot"));
    }

    @Test
    void applicationPropertiesDocumentsEveryParameterAtItsDefault() throws IOException {
        Properties p = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        // Loading exactly the shipped file gives the declared defaults, and it names no unknown key.
        Map<String, String> shipped = new java.util.HashMap<>();
        p.stringPropertyNames().forEach(k -> shipped.put(k, p.getProperty(k)));
        assertTrue(ControlService.unknownKeys(shipped.keySet()).isEmpty());
        for (var param : io.tendon.edge.control.ControlParameterTable.ALL) {
            assertTrue(shipped.containsKey(param.key()), "documented: " + param.key());
            assertEquals(param.defaultValue(), Double.parseDouble(shipped.get(param.key())), 0, param.key());
        }
        for (var param : io.tendon.edge.sim.SimParameterTable.ALL) {
            assertTrue(shipped.containsKey(param.key()), "documented: " + param.key());
            assertEquals(param.defaultValue(), Double.parseDouble(shipped.get(param.key())), 0, param.key());
        }
    }
}
