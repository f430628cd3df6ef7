package io.tendon.learner.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The alerts of k8s/monitoring/prometheus-rule.yaml with Prometheus's own tool: the PrometheusRule's
 * groups as a plain rule file pass {@code promtool check rules}, and the unit tests in
 * k8s/monitoring/tests (input series, expected alerts with labels and annotations, and expected
 * silence) pass {@code promtool test rules}. Aborts where promtool is not installed (Debian's
 * {@code prometheus} package has it; .ci/run fetches it).
 */
class AlertRulesTest {

    static final Path MONITORING = Path.of("..", "k8s", "monitoring");

    @Test
    void rulesAreValidAndTheirUnitTestsPass() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "promtool"));
        Map<String, Object> rule = new Yaml().load(Files.readString(MONITORING.resolve("prometheus-rule.yaml")));
        assertEquals("PrometheusRule", rule.get("kind"));
        Map<String, Object> plain = new LinkedHashMap<>();
        plain.put("groups", ((Map<?, ?>) rule.get("spec")).get("groups"));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.writeString(work.resolve("tendon-alerts.rules.yaml"), new Yaml(options).dump(plain));
        Files.copy(MONITORING.resolve("tests/tendon-alerts.test.yaml"), work.resolve("tendon-alerts.test.yaml"),
                StandardCopyOption.REPLACE_EXISTING);

        String check = promtool(work, "check", "rules", "tendon-alerts.rules.yaml");
        assertTrue(check.contains("SUCCESS"), check);
        String test = promtool(work, "test", "rules", "tendon-alerts.test.yaml");
        assertTrue(test.contains("SUCCESS"), test);
        // Every alert has a unit test.
        String tests = Files.readString(work.resolve("tendon-alerts.test.yaml"));
        for (Object group : (List<?>) plain.get("groups")) {
            for (Object r : (List<?>) ((Map<?, ?>) group).get("rules")) {
                String alert = String.valueOf(((Map<?, ?>) r).get("alert"));
                assertTrue(tests.contains("alertname: " + alert + "\n"), alert + " has no unit test");
            }
        }
    }

    private static String promtool(Path dir, String... args) throws IOException, InterruptedException {
        String promtool = System.getProperty("tendon.promtool", System.getenv().getOrDefault("PROMTOOL", "promtool"));
        Process p;
        try {
            p = new ProcessBuilder(concat(promtool, args)).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("promtool is not installed here: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "promtool " + String.join(" ", args) + ":\n" + out);
        return out;
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
