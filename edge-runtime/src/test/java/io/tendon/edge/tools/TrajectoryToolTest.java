package io.tendon.edge.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.edge.control.InvalidConfigurationException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrajectoryToolTest {

    @TempDir
    Path dir;

    private String run(String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        return TrajectoryTool.run(args, new PrintStream(bytes, true, "UTF-8"));
    }

    @Test
    void forceModeShowsTheDeflectionForceOverStiffness() throws Exception {
        Path csv = dir.resolve("force.csv");
        String summary = run("--mode", "force", "--duration", "4", "--force", "15", "--force-axis", "z",
                "--stiffness", "600", "--out", csv.toString());
        List<String> lines = Files.readAllLines(csv);
        assertEquals(4001, lines.size(), "header + one row per tick");
        String[] header = lines.get(0).split(",");
        assertEquals("time_s", header[0]);
        assertTrue(List.of(header).containsAll(List.of("cmd_z", "meas_z", "fz", "k_z", "safety_trips")));
        // Last tick inside the push: commanded z - virtual target z = F/K.
        String[] row = lines.get(2900).split(",");
        int cmdZ = List.of(header).indexOf("cmd_z");
        int vtZ = List.of(header).indexOf("vt_z");
        int fz = List.of(header).indexOf("fz");
        double deflection = Double.parseDouble(row[cmdZ]) - Double.parseDouble(row[vtZ]);
        assertEquals(15.0 / 600, deflection, 15.0 / 600 * 0.01);
        assertEquals(15, Double.parseDouble(row[fz]), 1.0, "the controller measured the push");
        assertTrue(summary.contains("F/K = 0.025000 m"), summary);
    }

    @Test
    void expertModeRunsEpisodesAndTheSameSeedWritesTheSameBytes() throws Exception {
        Path a = dir.resolve("a.csv");
        Path b = dir.resolve("b.csv");
        String summary = run("--mode", "expert", "--duration", "12", "--seed", "11", "--every", "10", "--out", a.toString());
        run("--mode", "expert", "--duration", "12", "--seed", "11", "--every", "10", "--out", b.toString());
        assertTrue(summary.matches("(?s).*success [1-9].*"), summary);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertEquals(1201, Files.readAllLines(a).size());
    }

    @Test
    void badOptionsAndParametersAreRefusedClearly() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> run("--set", "tendon.safety.max-linear-speed=9", "--duration", "1", "--out", dir.resolve("x").toString()));
        assertTrue(e.getMessage().contains("tendon.safety.max-linear-speed = 9 m/s is above"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> run("--mode", "dance"));
        assertThrows(IllegalArgumentException.class, () -> run("--set", "tendon.nope=1"));
        assertThrows(IllegalArgumentException.class, () -> run("--duration", "-1"));
    }
}
