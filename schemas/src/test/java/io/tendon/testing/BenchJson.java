package io.tendon.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Writes a benchmark's flat JSON object of numbers to {@code target/bench/NAME.json} and prints it. */
public final class BenchJson {

    private BenchJson() {
    }

    public static Path write(String name, Map<String, ? extends Number> values) throws IOException {
        Path out = Path.of("target", "bench", name + ".json");
        Files.createDirectories(out.getParent());
        StringBuilder json = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, ? extends Number> e : values.entrySet()) {
            double v = e.getValue().doubleValue();
            String text = v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
                    : String.format(Locale.ROOT, "%.4g", v);
            json.append("  \"").append(e.getKey()).append("\": ").append(text)
                    .append(++i < values.size() ? ",\n" : "\n");
        }
        json.append("}\n");
        Files.writeString(out, json, StandardCharsets.UTF_8);
        System.out.println(name + " benchmark (" + out.toAbsolutePath() + "):\n" + json);
        return out;
    }
}
