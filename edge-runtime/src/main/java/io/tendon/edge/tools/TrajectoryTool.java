package io.tendon.edge.tools;

import io.tendon.edge.control.Command;
import io.tendon.edge.control.ControlParameterTable;
import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.ParameterReader;
import io.tendon.edge.control.RobotSample;
import io.tendon.edge.control.SafetyTrips;
import io.tendon.edge.control.SimulatedClockPacer;
import io.tendon.edge.control.TargetSource;
import io.tendon.edge.control.Targets;
import io.tendon.edge.sim.ExpertRole;
import io.tendon.edge.sim.ForceProfile;
import io.tendon.edge.sim.SimEpisodeRunner;
import io.tendon.edge.sim.SimParameterTable;
import io.tendon.edge.sim.SimSettings;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the controller against the simulator on a simulated clock and writes one CSV row per
 * tick: time, commanded and measured pose, virtual target, wrench, stiffness, safety trips.
 * Two modes: the scripted expert doing peg-in-hole episodes ({@code --mode expert}), or the
 * arm holding a pose in free space while a scripted external force pushes the tool
 * ({@code --mode force}), which shows the admittance law (deflection F/K) directly.
 *
 * <pre>
 *   --mode expert|force        default expert
 *   --duration SECONDS         simulated time, default 10
 *   --seed N                   first episode's seed, default tendon.sim.seed
 *   --out FILE                 CSV file, default trajectory.csv
 *   --every N                  write every N-th tick, default 1
 *   --force-shape step|ramp|sine, --force-axis x|y|z, --force NEWTONS (default 10),
 *   --force-start S (default 0.5), --force-end S (default duration - 1), --force-hz HZ (sine, default 1),
 *   --stiffness N_PER_M        force mode: translational stiffness of the held pose, default 800
 *   --set KEY=VALUE            any tendon.control.*, tendon.admittance.*, tendon.safety.* or
 *                              tendon.sim.* parameter, validated like the service's configuration
 * </pre>
 */
public final class TrajectoryTool {

    private TrajectoryTool() {
    }

    public static void main(String[] args) throws IOException {
        run(args, System.out);
    }

    /** Runs the tool; returns a one-paragraph summary, also printed to {@code out}. */
    public static String run(String[] args, PrintStream out) throws IOException {
        Map<String, String> opts = new HashMap<>();
        Map<String, String> config = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (options start with --)");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq > 0 && !name.startsWith("set")) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option --" + name + " needs a value");
                }
                value = args[++i];
            }
            if (name.equals("set")) {
                int kv = value.indexOf('=');
                if (kv <= 0) {
                    throw new IllegalArgumentException("--set needs KEY=VALUE, got '" + value + "'");
                }
                config.put(value.substring(0, kv).trim(), value.substring(kv + 1));
            } else {
                opts.put(name, value);
            }
        }
        for (String key : config.keySet()) {
            boolean known = ControlParameterTable.ALL.stream().anyMatch(p -> p.key().equals(key))
                    || SimParameterTable.ALL.stream().anyMatch(p -> p.key().equals(key));
            if (!known) {
                throw new IllegalArgumentException("unknown parameter " + key);
            }
        }
        for (String key : opts.keySet()) {
            if (!java.util.Set.of("mode", "duration", "seed", "out", "every", "force-shape", "force-axis", "force",
                    "force-start", "force-end", "force-hz", "stiffness").contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key);
            }
        }

        String mode = opts.getOrDefault("mode", "expert");
        if (!mode.equals("expert") && !mode.equals("force")) {
            throw new IllegalArgumentException("--mode must be expert or force, got " + mode);
        }
        double duration = positive(opts, "duration", 10);
        int every = (int) positive(opts, "every", 1);
        Path file = Path.of(opts.getOrDefault("out", "trajectory.csv"));
        ControlSettings control = ControlSettings.load(ParameterReader.lookup(config));
        SimSettings sim = SimSettings.load(ParameterReader.lookup(config));
        long seed = opts.containsKey("seed") ? Long.parseLong(opts.get("seed")) : sim.seed;

        SimEpisodeRunner.Builder builder = SimEpisodeRunner.builder(control, sim).firstSeed(seed);
        HeldPose hold = null;
        ForceProfile profile = null;
        if (mode.equals("force")) {
            double k = positive(opts, "stiffness", 800);
            hold = new HeldPose(k);
            String shape = opts.getOrDefault("force-shape", "step").toUpperCase(Locale.ROOT);
            if (!java.util.Set.of("STEP", "RAMP", "SINE").contains(shape)) {
                throw new IllegalArgumentException("--force-shape must be step, ramp or sine");
            }
            String axis = opts.getOrDefault("force-axis", "x");
            int axisIndex = "xyz".indexOf(axis);
            if (axis.length() != 1 || axisIndex < 0) {
                throw new IllegalArgumentException("--force-axis must be x, y or z");
            }
            profile = new ForceProfile(ForceProfile.Shape.valueOf(shape), axisIndex,
                    number(opts, "force", 10), number(opts, "force-start", 0.5),
                    number(opts, "force-end", Math.max(duration - 1, 1)), number(opts, "force-hz", 1));
            // Free space: start high above the table, never time out.
            Map<String, String> free = new HashMap<>(config);
            free.putIfAbsent("tendon.sim.start-height", "0.2");
            free.put("tendon.sim.episode-timeout", "600");
            sim = SimSettings.load(ParameterReader.lookup(free));
            builder = SimEpisodeRunner.builder(control, sim).firstSeed(seed).expert(ExpertRole.NONE).policy(hold)
                    .forceProfile(profile);
        }
        SimEpisodeRunner runner = builder.build();
        SimulatedClockPacer pacer = new SimulatedClockPacer(control.periodNanos, 0, runner);

        long ticks = Math.round(duration * control.rateHz);
        long[] tripCounts = new long[SafetyTrips.COUNT];
        long rows = 0;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        double deflectionSum = 0;
        int deflectionSamples = 0;
        try (Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
            w.write("time_s,episode,cmd_x,cmd_y,cmd_z,cmd_rx,cmd_ry,cmd_rz,meas_x,meas_y,meas_z,meas_rx,meas_ry,meas_rz,"
                    + "vt_x,vt_y,vt_z,fx,fy,fz,tx,ty,tz,k_x,k_y,k_z,k_rx,k_ry,k_rz,safety_trips,safety_trip_names,"
                    + "holding,human,expert_phase\n");
            double[] cmd = new double[6];
            double[] meas = new double[6];
            StringBuilder row = new StringBuilder(512);
            for (long i = 1; i <= ticks; i++) {
                pacer.run(1);
                if (hold != null && i == 1) {
                    hold.at(runner.sample());
                }
                Command c = runner.command();
                RobotSample r = runner.sample();
                for (int b = 0; b < SafetyTrips.COUNT; b++) {
                    if ((c.safetyTrips & (1 << b)) != 0) {
                        tripCounts[b]++;
                    }
                }
                double t = i * control.dt;
                if (hold != null && profile != null && t > number(opts, "force-end", Math.max(duration - 1, 1)) - 0.5
                        && t < number(opts, "force-end", Math.max(duration - 1, 1))) {
                    deflectionSum += c.pose.position[profile.axis()] - hold.targets.virtualTarget[profile.axis()];
                    deflectionSamples++;
                }
                if (i % every != 0) {
                    continue;
                }
                c.pose.toVector(cmd, 0);
                r.pose.toVector(meas, 0);
                row.setLength(0);
                row.append(t).append(',').append(runner.episodeIndex());
                append(row, cmd, 6);
                append(row, meas, 6);
                append(row, c.virtualTarget, 3);
                append(row, c.wrench, 6);
                append(row, c.stiffness, 6);
                row.append(',').append(c.safetyTrips).append(',').append(SafetyTrips.describe(c.safetyTrips))
                        .append(',').append(c.holding ? 1 : 0).append(',').append(c.human ? 1 : 0).append(',')
                        .append(runner.expert() != null ? runner.expert().phase() : -1).append('\n');
                w.append(row);
                rows++;
            }
        }

        StringBuilder summary = new StringBuilder();
        summary.append(String.format(Locale.ROOT, "trajectory: %s mode, %.1f s simulated at %d Hz, %d rows -> %s%n",
                mode, duration, control.rateHz, rows, file.toAbsolutePath()));
        summary.append(String.format(Locale.ROOT, "episodes finished: %d (success %d, failure %d, timeout %d)%n",
                runner.episodes(), runner.successes(), runner.failures(), runner.timeouts()));
        summary.append("safety trips (ticks):");
        for (int b = 0; b < SafetyTrips.COUNT; b++) {
            summary.append(' ').append(SafetyTrips.name(b)).append('=').append(tripCounts[b]);
        }
        summary.append('\n');
        if (hold != null && deflectionSamples > 0 && profile != null) {
            summary.append(String.format(Locale.ROOT,
                    "force mode: commanded deflection along %s at the end of the push %.6f m; F/K = %.6f m%n",
                    "xyz".charAt(profile.axis()), deflectionSum / deflectionSamples, profile.magnitude() / hold.k));
        }
        out.print(summary);
        return summary.toString();
    }

    private static void append(StringBuilder row, double[] v, int n) {
        for (int i = 0; i < n; i++) {
            row.append(',').append(v[i]);
        }
    }

    private static double number(Map<String, String> opts, String name, double fallback) {
        String v = opts.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    private static double positive(Map<String, String> opts, String name, double fallback) {
        double d = number(opts, name, fallback);
        if (!(d > 0)) {
            throw new IllegalArgumentException("--" + name + " must be positive, got " + d);
        }
        return d;
    }

    /** Force mode's "policy": one fixed pose with a given stiffness, always fresh. */
    private static final class HeldPose implements TargetSource {
        final Targets targets = new Targets();
        final double k;
        private boolean placed;

        HeldPose(double k) {
            this.k = k;
            for (int i = 0; i < 6; i++) {
                targets.stiffness[i] = i < 3 ? k : 50;
            }
        }

        void at(RobotSample s) {
            s.pose.toVector(targets.virtualTarget, 0);
            System.arraycopy(targets.virtualTarget, 0, targets.pose, 0, 6);
            placed = true;
        }

        @Override
        public boolean targetsAt(long nowNanos, Targets into) {
            if (!placed) {
                return false;
            }
            targets.createdNanos = nowNanos;
            into.copyFrom(targets);
            return true;
        }
    }
}
