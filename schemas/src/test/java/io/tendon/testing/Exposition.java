package io.tendon.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A scraped Prometheus text exposition: the sample names it holds, the histogram invariants, and
 * promtool's verdict on it. Shared by the services' operations tests (the learner's reads the
 * file the edge's wrote, to check the dashboard's queries against both).
 */
public final class Exposition {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)");

    private final String text;

    public Exposition(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** Every sample name (histogram series as name_bucket, name_count, name_sum). */
    public TreeSet<String> names() {
        TreeSet<String> names = new TreeSet<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The value of the first sample of {@code name} whose labels contain every one of {@code labels} (NaN if none). */
    public double value(String name, String... labels) {
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.find() || !m.group(1).equals(name)) {
                continue;
            }
            String l = m.group(2) == null ? "" : m.group(2);
            boolean all = true;
            for (String label : labels) {
                all &= l.contains(label);
            }
            if (all) {
                return Double.parseDouble(m.group(3));
            }
        }
        return Double.NaN;
    }

    /** Histogram families (# TYPE ... histogram): their buckets never decrease and +Inf equals _count, per series. */
    public int assertHistogramsConsistent() {
        List<String> families = new ArrayList<>();
        Matcher t = Pattern.compile("(?m)^# TYPE (\\S+) histogram$").matcher(text);
        while (t.find()) {
            families.add(t.group(1));
        }
        for (String family : families) {
            Map<String, List<double[]>> bySeries = new LinkedHashMap<>();
            Matcher b = Pattern.compile("(?m)^" + Pattern.quote(family) + "_bucket\\{(.*)le=\"([^\"]+)\",?\\} (\\S+)$")
                    .matcher(text);
            while (b.find()) {
                double le = b.group(2).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(b.group(2));
                bySeries.computeIfAbsent(b.group(1), k -> new ArrayList<>())
                        .add(new double[] {le, Double.parseDouble(b.group(3))});
            }
            for (Map.Entry<String, List<double[]>> series : bySeries.entrySet()) {
                List<double[]> buckets = series.getValue();
                for (int i = 1; i < buckets.size(); i++) {
                    assertTrue(buckets.get(i)[0] > buckets.get(i - 1)[0], family + " edges ascending");
                    assertTrue(buckets.get(i)[1] >= buckets.get(i - 1)[1], family + "{" + series.getKey() + "} cumulative");
                }
                double[] last = buckets.get(buckets.size() - 1);
                assertEquals(Double.POSITIVE_INFINITY, last[0], family + " ends with +Inf");
                String labels = series.getKey().replaceAll(",$", "");
                Matcher c = Pattern.compile("(?m)^" + Pattern.quote(family) + "_count(\\{" + Pattern.quote(labels)
                        + ",?\\})? (\\S+)$").matcher(text);
                assertTrue(c.find(), family + "_count{" + labels + "}");
                assertEquals(Double.parseDouble(c.group(2)), last[1], family + "{" + labels + "}: +Inf bucket = count");
            }
        }
        return families.size();
    }

    /** Writes the text to {@code file} (for the dashboard check of the other module). */
    public void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /**
     * Runs {@code promtool check metrics} on the text; aborts the calling test when promtool is
     * not installed (Debian's {@code prometheus} package brings it; .ci/run fetches it). The text
     * must parse (exit 0, or 3: lint findings only), and no lint finding may name one of this
     * project's metrics ({@code tendon_*}): the findings left are about names Kafka's clients,
     * Netty and Quarkus choose (units like {@code _ns}, missing HELP). Returns those findings.
     */
    public List<String> assertPromtoolAccepts() throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(promtool(), "check", "metrics").redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("promtool is not installed here: " + e.getMessage());
            throw e;
        }
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        assertTrue(p.exitValue() == 0 || p.exitValue() == 3, "promtool check metrics failed (" + p.exitValue() + "):\n" + out);
        List<String> findings = out.lines().filter(l -> !l.isBlank()).toList();
        for (String finding : findings) {
            assertFalse(finding.startsWith("tendon_"), "promtool lint finding on our own metric: " + finding);
            assertFalse(finding.startsWith("error"), "promtool: " + finding);
        }
        return findings;
    }

    /** promtool from -Dtendon.promtool, $PROMTOOL, or the PATH. */
    public static String promtool() {
        String configured = System.getProperty("tendon.promtool", System.getenv("PROMTOOL"));
        return configured == null || configured.isBlank() ? "promtool" : configured;
    }
}
