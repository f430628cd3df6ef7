package io.tendon.local;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.tendon.schemas.v1.SimControlGrpc;
import io.tendon.schemas.v1.SimEvaluateRequest;
import io.tendon.schemas.v1.SimEvaluation;
import io.tendon.schemas.v1.SimStatus;
import io.tendon.schemas.v1.SimStatusRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The local main job: the whole loop in one command. A real Kafka broker, the learner and one
 * edge per simulated robot, each its own process; the robots demonstrate in the lab cell, the
 * learner clones a base head and publishes it, the robots verify and run it where the hole
 * estimate is off, a simulated person takes over when a robot is stuck, the learner improves the
 * head (ALOE) from what the robots send and pushes signed updates, which the robots verify and
 * swap in. Robot 0 evaluates on held-out seeds: the base arm first, then the learning arm at
 * intervals and at the end. Then {@code report.json} and {@code learning-curve.png} in
 * {@code .tendon/loop/}.
 *
 * <pre>
 *   --preset quick|default|realtime   (default: default)
 *   --robots N                        simulated robots, each its own edge process (default 1)
 *   --seconds S                       wall-clock budget instead of the preset's
 *   --fresh                           start from nothing (else resume the learner's checkpoints,
 *                                     the replay and the robots' policy caches)
 * </pre>
 *
 * Ctrl-C or SIGTERM stops everything in order (edges, learner, broker), writes the report of
 * what ran, and exits 0.
 */
public final class LoopRun {

    static final String POLICY_ID = "peg-in-hole";

    private final Preset preset;
    private final int robots;
    private final boolean fresh;
    private final Path root;
    private final Path home;
    private final LocalStack stack;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<SimControlGrpc.SimControlBlockingStub> sims = new ArrayList<>();
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final LoopReport report;
    private final Progress progress;
    private final int[] edgePorts;
    private long startNanos;
    /** --bench: where the benchmark's flat JSON goes (the loop benchmark's keys), or null. */
    Path benchFile;

    LoopRun(Preset preset, int robots, boolean fresh, Path root) {
        this.preset = preset;
        this.robots = robots;
        this.fresh = fresh;
        this.root = root;
        // tendon.local.home: where the run keeps everything (tests put it under target/).
        String homeOverride = System.getProperty("tendon.local.home");
        this.home = homeOverride != null ? Path.of(homeOverride).toAbsolutePath() : root.resolve(".tendon/loop");
        int base = Integer.getInteger("tendon.local.edge-port", 8080);
        edgePorts = new int[robots];
        for (int r = 0; r < robots; r++) {
            edgePorts[r] = base + r;
        }
        this.stack = new LocalStack(home, root, Integer.getInteger("tendon.local.kafka-port", 9092),
                Integer.getInteger("tendon.local.controller-port", 9093),
                Integer.getInteger("tendon.local.learner-port", 8090), edgePorts[0]);
        this.report = new LoopReport(preset, robots);
        this.progress = new Progress(System.console() != null);
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--args-line")) {
            // From Maven's exec plugin: the options as one property value.
            args = args[1].isBlank() ? new String[0] : args[1].trim().split("\\s+");
        }
        Preset preset = Preset.standard();
        int robots = 1;
        boolean fresh = false;
        Long seconds = null;
        Path bench = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--preset" -> preset = Preset.named(args[++i]);
                case "--robots" -> robots = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Long.parseLong(args[++i]);
                case "--fresh" -> fresh = true;
                case "--bench" -> bench = Path.of(args[++i]);
                case "--help", "-h" -> {
                    System.out.println("usage: run-local [--preset quick|default|realtime] [--robots N] [--seconds S]"
                            + " [--fresh] [--bench FILE]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (see --help)");
            }
        }
        if (robots < 1 || robots > 16) {
            throw new IllegalArgumentException("--robots must lie in 1..16, was " + robots);
        }
        if (seconds != null) {
            preset = preset.withWallSeconds(seconds);
        }
        Path root = Path.of(System.getProperty("tendon.local.root", ".")).toAbsolutePath().normalize();
        LoopRun run = new LoopRun(preset, robots, fresh, root);
        run.benchFile = bench;
        int exit = run.runToEnd();
        System.exit(exit);
    }

    /** Runs the whole job; 0 when it ran (to its end or to a requested stop), 1 when it failed. */
    int runToEnd() {
        installSignalHandlers();
        int exit = 0;
        try {
            start();
            loop();
        } catch (StopRequested e) {
            progress.end();
            LocalStack.say("stop requested: stopping everything");
        } catch (Exception e) {
            progress.end();
            LocalStack.say("Tendon local run FAILED: %s", e.getMessage());
            exit = 1;
        }
        try {
            finish();
        } catch (Exception e) {
            LocalStack.say("the report could not be completed: %s", e.getMessage());
            exit = exit == 0 && !stopRequested.get() ? 1 : exit;
        }
        stop();
        return exit;
    }

    /** SIGINT and SIGTERM ask for a clean stop; the main thread does it and exits 0. */
    private void installSignalHandlers() {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    if (!stopRequested.compareAndSet(false, true)) {
                        // A second Ctrl-C: the services are stopped by the shutdown path anyway.
                        Runtime.getRuntime().halt(130);
                    }
                });
            } catch (IllegalArgumentException e) {
                // The signal is not available here: the JVM's default handling stays.
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(stack::stop, "tendon-local-stop"));
    }

    private static final class StopRequested extends RuntimeException {
        StopRequested() {
            super("stop requested", null, false, false);
        }
    }

    private void checkStop() {
        if (stopRequested.get()) {
            throw new StopRequested();
        }
    }

    private void start() throws Exception {
        startNanos = System.nanoTime();
        if (fresh) {
            deleteTree(home);
        }
        Files.createDirectories(home);
        String bundle = root.resolve("edge-runtime/src/main/bundles/peg-in-hole").toString();
        String trusted = home.resolve("keys/policy-signing.pub.pem").toString();
        stack.learnerProperties(preset.learnerProperties(bundle, POLICY_ID, home.toString()));
        stack.edgeProperties(preset.edgeProperties(0, bundle, trusted, home.resolve("robot-0/policy-cache").toString()));
        for (int r = 1; r < robots; r++) {
            stack.addEdge("edge-" + r, edgePorts[r],
                    preset.edgeProperties(r, bundle, trusted, home.resolve("robot-" + r + "/policy-cache").toString()));
        }
        LocalStack.say("Tendon local loop, preset %s, %d robot%s, %s; budget %d s; everything under %s", preset.name(),
                robots, robots == 1 ? "" : "s", fresh ? "fresh" : "resuming what .tendon/loop holds", preset.wallSeconds(),
                home);
        stack.start();
        for (int port : edgePorts) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            channels.add(channel);
            sims.add(SimControlGrpc.newBlockingStub(channel).withCallCredentials(
                    stack.token(io.tendon.schemas.access.Role.OPERATOR)));
        }
        LocalStack.say("logs: %s; progress below (Ctrl-C stops cleanly)", home.resolve("logs"));
    }

    private double elapsed() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private double left() {
        return preset.wallSeconds() - elapsed();
    }

    private SimStatus status(int robot) {
        return sims.get(robot).withDeadlineAfter(10, TimeUnit.SECONDS).status(SimStatusRequest.getDefaultInstance());
    }

    /** The plan: base arm once the first head runs, the learning arm at intervals, the final one at the end. */
    private void loop() throws Exception {
        boolean baseDone = false;
        long baseVersion = 0;
        double nextEval = Double.MAX_VALUE;
        // Time the final evaluation needs, estimated from the base arm's (refined as evaluations run).
        double finalSeconds = preset.finalEpisodes() * 1.0;
        while (true) {
            checkStop();
            sample();
            SimStatus s0 = status(0);
            SimEvaluation running = s0.getEvaluationsCount() > 0 && !s0.getEvaluations(0).getFinished()
                    ? s0.getEvaluations(0) : null;
            if (running == null) {
                report.collectEvaluations(s0, elapsed());
                if (!baseDone && s0.getActivePolicyVersion() > 0) {
                    baseVersion = s0.getActivePolicyVersion();
                    report.baseVersion(baseVersion);
                    evaluate("base", preset.finalEpisodes(), baseVersion);
                    baseDone = true;
                    nextEval = elapsed() + preset.evalEverySeconds();
                } else if (baseDone && left() <= finalSeconds + 5) {
                    evaluate("final", preset.finalEpisodes(), 0);
                    waitForEvaluation("final");
                    return;
                } else if (baseDone && elapsed() >= nextEval) {
                    evaluate(String.format(Locale.ROOT, "t=%.0fs", elapsed()), preset.evalEpisodes(), 0);
                    nextEval = elapsed() + preset.evalEverySeconds();
                } else if (!baseDone && left() <= 0) {
                    throw new IllegalStateException("no policy reached the robot within the budget ("
                            + preset.wallSeconds() + " s); see " + home.resolve("logs"));
                }
            }
            finalSeconds = Math.max(finalSeconds, report.secondsPerEvaluationEpisode() * preset.finalEpisodes() * 1.2);
            checkAlive();
            Thread.sleep(1000);
        }
    }

    private void evaluate(String label, int episodes, long version) {
        SimEvaluation e = sims.get(0).withDeadlineAfter(120, TimeUnit.SECONDS).evaluate(SimEvaluateRequest.newBuilder()
                .setLabel(label).setEpisodes(episodes).setFirstSeed(Preset.HELD_OUT_SEED).setPolicyVersion(version)
                .build());
        report.evaluationStarted(label, elapsed());
        progress.note(String.format(Locale.ROOT, "evaluation '%s': %d held-out episodes, policy v%d", label, episodes,
                e.getPolicyVersion()));
    }

    private void waitForEvaluation(String label) throws Exception {
        while (true) {
            checkStop();
            sample();
            SimStatus s0 = status(0);
            report.collectEvaluations(s0, elapsed());
            if (report.finished(label)) {
                return;
            }
            checkAlive();
            Thread.sleep(1000);
        }
    }

    /** One progress sample: the robots' and the learner's counters, into the report and the line. */
    private void sample() {
        List<SimStatus> statuses = new ArrayList<>();
        for (int r = 0; r < robots; r++) {
            try {
                statuses.add(status(r));
            } catch (StatusRuntimeException e) {
                statuses.add(SimStatus.getDefaultInstance());
            }
        }
        String learner = stack.scrape(stack.learnerPort());
        double delivered = 0;
        for (int port : edgePorts) {
            delivered += LocalStack.metric(stack.scrape(port), "tendon_edge_transitions_delivered_total");
        }
        LoopReport.Sample sample = report.sample(elapsed(), statuses, learner, delivered);
        progress.show(sample.line(left()));
    }

    private void checkAlive() {
        for (ManagedProcess p : stack.services()) {
            if (!p.alive()) {
                throw new IllegalStateException(p.name() + " stopped unexpectedly:\n" + p.tail(40));
            }
        }
    }

    /** Waits for the learner to take in what the robots sent, then writes the report and the plot. */
    private void finish() throws IOException {
        progress.end();
        if (channels.isEmpty()) {
            return;
        }
        // Drain: the learner has ingested every transition the robots delivered (or 30 s passed).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        double delivered = 0;
        double accepted = 0;
        while (System.nanoTime() < deadline) {
            delivered = 0;
            for (int port : edgePorts) {
                delivered += LocalStack.metric(stack.scrape(port), "tendon_edge_transitions_delivered_total");
            }
            accepted = LocalStack.metric(stack.scrape(stack.learnerPort()), "tendon_learner_transitions_accepted_total")
                    + LocalStack.metric(stack.scrape(stack.learnerPort()), "tendon_learner_transitions_duplicates_total");
            if (accepted >= delivered) {
                break;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<SimStatus> statuses = new ArrayList<>();
        List<String> edgeMetrics = new ArrayList<>();
        for (int r = 0; r < robots; r++) {
            try {
                statuses.add(status(r));
            } catch (StatusRuntimeException e) {
                statuses.add(SimStatus.getDefaultInstance());
            }
            edgeMetrics.add(stack.scrape(edgePorts[r]));
        }
        report.collectEvaluations(statuses.get(0), elapsed());
        Path json = home.resolve("report.json");
        Path png = home.resolve("learning-curve.png");
        report.write(json, png, elapsed(), statuses, edgeMetrics, stack.scrape(stack.learnerPort()),
                stopRequested.get());
        LocalStack.say("%s", report.summary());
        LocalStack.say("report %s, plot %s", json, png);
        if (benchFile != null) {
            writeBench(json, benchFile);
            LocalStack.say("benchmark %s", benchFile);
        }
    }

    /** The loop benchmark's flat JSON object of numbers, taken from the report. */
    static void writeBench(Path report, Path bench) throws IOException {
        com.fasterxml.jackson.databind.JsonNode r = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Files.readString(report));
        LoopReport.Json out = new LoopReport.Json();
        out.open();
        for (String key : new String[] {"final_success_rate", "base_success_rate", "transitions_lost", "wall_seconds",
                "env_steps_to_90"}) {
            com.fasterxml.jackson.databind.JsonNode v = r.get(key);
            out.field(key, v == null || !v.isNumber() ? Double.NaN : v.asDouble());
        }
        out.end();
        Path parent = bench.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(bench, out.toString());
    }

    private void stop() {
        for (ManagedChannel c : channels) {
            c.shutdownNow();
        }
        stack.stop();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** One live line on a terminal (rewritten in place); a line every 30 s otherwise. */
    static final class Progress {
        private final boolean terminal;
        private long lastPrinted;
        private int width;

        Progress(boolean terminal) {
            this.terminal = terminal;
        }

        synchronized void show(String line) {
            if (terminal) {
                String padded = line.length() < width ? line + " ".repeat(width - line.length()) : line;
                width = line.length();
                System.out.print("\r" + padded);
                System.out.flush();
            } else if (System.nanoTime() - lastPrinted > TimeUnit.SECONDS.toNanos(30)) {
                lastPrinted = System.nanoTime();
                System.out.println(line);
            }
        }

        synchronized void note(String message) {
            end();
            System.out.println(message);
        }

        synchronized void end() {
            if (terminal && width > 0) {
                System.out.println();
                width = 0;
            }
        }
    }
}
