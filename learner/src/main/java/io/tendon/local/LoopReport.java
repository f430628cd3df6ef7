package io.tendon.local;

import io.tendon.schemas.v1.SimEvaluation;
import io.tendon.schemas.v1.SimStatus;
import io.tendon.schemas.v1.VersionEpisodes;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * What the local main job measured: samples of the robots' and the learner's counters while it
 * ran, the evaluations on held-out seeds, and at the end {@code report.json} and the learning
 * curve (JFreeChart): held-out success against environment steps for the learning arm and the
 * base arm, the person's takeovers, and where each update was applied.
 */
final class LoopReport {

    /** One sample of the counters. */
    record Sample(double seconds, long envSteps, long demoEpisodes, long trainingEpisodes, long trainingSuccesses,
            long interventions, long activeVersion, String stage, double learnerSteps, double headLoss,
            double criticLoss, double bcLoss, double accepted, double delivered, double recentSuccess,
            double transitionsPerSecond, boolean idle) {

        String line(double left) {
            String learner = switch (stage) {
                case "BC_WARMUP" -> String.format(Locale.ROOT, "BC step %.0f loss %.3g", learnerSteps, bcLoss);
                case "ONLINE_HEAD" -> String.format(Locale.ROOT, "ONLINE_HEAD step %.0f head %.3g critic %.3g",
                        learnerSteps, headLoss, criticLoss);
                default -> stage;
            };
            return String.format(Locale.ROOT,
                    "%4.0fs left %4.0fs | robots: %d demo + %d training episodes, success %s (recent %s), %d takeovers,"
                            + " v%d active%s | learner: %s, %.0f tr/s in, %.0f behind",
                    seconds, Math.max(0, left), demoEpisodes, trainingEpisodes,
                    pct(trainingEpisodes == 0 ? Double.NaN : (double) trainingSuccesses / trainingEpisodes),
                    pct(recentSuccess), interventions, activeVersion, idle ? " (waiting for a policy)" : "", learner,
                    transitionsPerSecond, Math.max(0, delivered - accepted));
        }
    }

    /** An evaluation as last seen, with the wall-clock times it started and was first seen finished (NaN: not yet). */
    record Eval(SimEvaluation evaluation, double startedSeconds, double finishedSeconds) {
    }

    private final Preset preset;
    private final int robots;
    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, Eval> evaluations = new LinkedHashMap<>();
    private final Map<String, Double> started = new LinkedHashMap<>();
    /** Policy versions robot 0 ran, with the environment steps when it was first seen running. */
    private final Map<Long, Long> versionFirstSeenAtStep = new TreeMap<>();
    private long baseVersion;

    LoopReport(Preset preset, int robots) {
        this.preset = preset;
        this.robots = robots;
    }

    void baseVersion(long version) {
        baseVersion = version;
    }

    void evaluationStarted(String label, double seconds) {
        started.put(label, seconds);
    }

    Sample sample(double seconds, List<SimStatus> robotsStatus, String learnerMetrics, double delivered) {
        long envSteps = 0;
        long demo = 0;
        long training = 0;
        long successes = 0;
        long interventions = 0;
        for (SimStatus s : robotsStatus) {
            envSteps += s.getEnvSteps();
            demo += s.getDemoEpisodes();
            training += s.getTrainingEpisodes();
            successes += s.getTrainingSuccesses();
            interventions += s.getInterventions();
        }
        SimStatus first = robotsStatus.get(0);
        long active = first.getActivePolicyVersion();
        if (active > 0) {
            versionFirstSeenAtStep.putIfAbsent(active, envSteps);
        }
        double accepted = LocalStack.metric(learnerMetrics, "tendon_learner_transitions_accepted_total");
        // Success over the last ~50 training episodes, from an earlier sample.
        double recent = Double.NaN;
        for (int i = samples.size() - 1; i >= 0; i--) {
            Sample earlier = samples.get(i);
            if (training - earlier.trainingEpisodes() >= 50 || i == 0) {
                long n = training - earlier.trainingEpisodes();
                recent = n > 0 ? (double) (successes - earlier.trainingSuccesses()) / n : Double.NaN;
                break;
            }
        }
        double rate = 0;
        if (!samples.isEmpty()) {
            Sample last = samples.get(samples.size() - 1);
            double dt = seconds - last.seconds();
            rate = dt > 0 ? (accepted - last.accepted()) / dt : 0;
        }
        Sample s = new Sample(seconds, envSteps, demo, training, successes, interventions, active,
                LocalStack.activeLabel(learnerMetrics, "tendon_learner_stage", "stage"),
                LocalStack.metric(learnerMetrics, "tendon_learner_train_steps_total"),
                LocalStack.metric(learnerMetrics, "tendon_learner_train_loss", "loss=\"head\""),
                LocalStack.metric(learnerMetrics, "tendon_learner_train_loss", "loss=\"critic\""),
                LocalStack.metric(learnerMetrics, "tendon_learner_train_loss", "loss=\"bc\""), accepted, delivered,
                recent, rate, first.getIdle());
        samples.add(s);
        return s;
    }

    void collectEvaluations(SimStatus robot0, double now) {
        for (SimEvaluation e : robot0.getEvaluationsList()) {
            Eval before = evaluations.get(e.getLabel());
            double finished = before != null && !Double.isNaN(before.finishedSeconds()) ? before.finishedSeconds()
                    : e.getFinished() ? now : Double.NaN;
            evaluations.put(e.getLabel(), new Eval(e, started.getOrDefault(e.getLabel(), Double.NaN), finished));
        }
    }

    boolean finished(String label) {
        Eval e = evaluations.get(label);
        return e != null && e.evaluation().getFinished();
    }

    /** Wall-clock seconds per evaluation episode, the slowest finished evaluation so far (0 before one). */
    double secondsPerEvaluationEpisode() {
        double worst = 0;
        for (Eval e : evaluations.values()) {
            if (!Double.isNaN(e.startedSeconds()) && !Double.isNaN(e.finishedSeconds())) {
                worst = Math.max(worst, (e.finishedSeconds() - e.startedSeconds()) / Math.max(1, e.evaluation().getDone()));
            }
        }
        return worst;
    }

    private static String pct(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * x);
    }

    private static double rate(SimEvaluation e) {
        return e.getDone() == 0 ? Double.NaN : (double) e.getSuccesses() / e.getDone();
    }

    String summary() {
        Eval base = evaluations.get("base");
        Eval fin = evaluations.get("final");
        return String.format(Locale.ROOT, "Tendon local loop (%s): base policy %s, learned policy %s on %s held-out"
                        + " episodes; %d policy updates applied; %s",
                preset.name(), base == null ? "-" : pct(rate(base.evaluation())),
                fin == null ? "-" : pct(rate(fin.evaluation())),
                fin == null ? "0" : Integer.toString(fin.evaluation().getDone()), versionFirstSeenAtStep.size(),
                samples.isEmpty() ? "" : samples.get(samples.size() - 1).line(0));
    }

    void write(Path json, Path png, double wallSeconds, List<SimStatus> robotsStatus, List<String> edgeMetrics,
            String learnerMetrics, boolean stoppedEarly) throws IOException {
        Json j = new Json();
        j.open();
        j.field("preset", preset.name());
        j.field("stopped_early", stoppedEarly);
        j.field("robots", robots);
        Eval base = evaluations.get("base");
        Eval fin = evaluations.get("final");
        j.field("base_policy_version", baseVersion);
        j.field("base_success_rate", base == null ? Double.NaN : rate(base.evaluation()));
        j.field("base_episodes", base == null ? 0 : base.evaluation().getDone());
        j.field("final_success_rate", fin == null ? Double.NaN : rate(fin.evaluation()));
        j.field("final_episodes", fin == null ? 0 : fin.evaluation().getDone());
        j.field("final_policy_version", fin == null ? 0 : fin.evaluation().getPolicyVersion());
        long envSteps = 0;
        long interventions = 0;
        long training = 0;
        long demo = 0;
        for (SimStatus s : robotsStatus) {
            envSteps += s.getEnvSteps();
            interventions += s.getInterventions();
            training += s.getTrainingEpisodes();
            demo += s.getDemoEpisodes();
        }
        j.field("env_steps", envSteps);
        j.field("env_steps_to_90", stepsTo(0.9));
        j.field("demo_episodes", demo);
        j.field("training_episodes", training);
        j.field("interventions", interventions);
        double applied = 0;
        double sent = 0;
        double misses = 0;
        for (String m : edgeMetrics) {
            applied += LocalStack.metric(m, "tendon_edge_policy_updates_applied_total");
            sent += LocalStack.metric(m, "tendon_edge_transitions_delivered_total");
            misses += LocalStack.metric(m, "tendon_edge_control_deadline_misses_total");
        }
        double accepted = LocalStack.metric(learnerMetrics, "tendon_learner_transitions_accepted_total");
        double duplicates = LocalStack.metric(learnerMetrics, "tendon_learner_transitions_duplicates_total");
        double deadLetters = LocalStack.metric(learnerMetrics, "tendon_learner_dead_letters_total");
        j.field("policy_updates_applied", applied);
        j.field("policy_versions_run", versionFirstSeenAtStep.size());
        j.field("wall_seconds", wallSeconds);
        j.field("transitions_sent", sent);
        j.field("transitions_ingested", accepted + duplicates);
        j.field("transitions_dead_lettered", deadLetters);
        j.field("transitions_lost", Math.max(0, sent - accepted - duplicates - deadLetters));
        j.field("learner_gradient_steps", LocalStack.metric(learnerMetrics, "tendon_learner_train_steps_total"));
        j.field("learner_transitions_per_second", wallSeconds > 0 ? accepted / wallSeconds : 0);
        j.field("deadline_misses", misses);
        j.field("real_time", preset.realTime());
        j.object("seeds");
        j.field("training_first_seed_robot_0", preset.trainingSeed(0));
        j.field("seeds_per_robot", Preset.SEEDS_PER_ROBOT);
        j.field("held_out_first_seed", Preset.HELD_OUT_SEED);
        j.close();
        j.object("scenario");
        j.field("hole_estimate_offset_x_m", preset.offsetX());
        j.field("hole_estimate_offset_y_m", preset.offsetY());
        j.field("demo_episodes_per_robot", preset.demoEpisodes());
        j.field("person_rate", preset.personRate());
        j.field("exploration_offset_m", preset.explorationOffset());
        j.field("episode_timeout_s", preset.episodeTimeout());
        j.field("bc_steps", preset.bcSteps());
        j.close();
        j.array("evaluations");
        for (Eval e : evaluations.values()) {
            SimEvaluation v = e.evaluation();
            j.element();
            j.field("label", v.getLabel());
            j.field("policy_version", v.getPolicyVersion());
            j.field("episodes", v.getDone());
            j.field("successes", v.getSuccesses());
            j.field("success_rate", rate(v));
            j.field("env_steps_at_start", v.getEnvStepsAtStart());
            j.field("wall_seconds_at_start", e.startedSeconds());
            j.field("mean_episode_seconds", v.getMeanSeconds());
            j.close();
        }
        j.closeArray();
        j.object("success_by_version");
        Map<Long, long[]> byVersion = new TreeMap<>();
        for (SimStatus s : robotsStatus) {
            for (VersionEpisodes v : s.getByVersionList()) {
                long[] a = byVersion.computeIfAbsent(v.getPolicyVersion(), k -> new long[3]);
                a[0] += v.getEpisodes();
                a[1] += v.getSuccesses();
                a[2] += v.getInterventions();
            }
        }
        byVersion.forEach((version, a) -> {
            j.object("v" + version);
            j.field("training_episodes", a[0]);
            j.field("training_successes", a[1]);
            j.field("training_success_rate", a[0] == 0 ? Double.NaN : (double) a[1] / a[0]);
            j.field("interventions", a[2]);
            for (Eval e : evaluations.values()) {
                if (e.evaluation().getPolicyVersion() == version) {
                    j.field("held_out_" + e.evaluation().getLabel().replaceAll("[^A-Za-z0-9_]", "_"),
                            rate(e.evaluation()));
                }
            }
            j.close();
        });
        j.close();
        j.array("per_robot");
        for (int r = 0; r < robotsStatus.size(); r++) {
            SimStatus s = robotsStatus.get(r);
            j.element();
            j.field("robot_id", "robot-" + r);
            j.field("demo_episodes", s.getDemoEpisodes());
            j.field("training_episodes", s.getTrainingEpisodes());
            j.field("training_successes", s.getTrainingSuccesses());
            j.field("interventions", s.getInterventions());
            j.field("env_steps", s.getEnvSteps());
            j.field("active_policy_version", s.getActivePolicyVersion());
            j.field("transitions_sent", LocalStack.metric(edgeMetrics.get(r), "tendon_edge_transitions_delivered_total"));
            j.close();
        }
        j.closeArray();
        j.array("updates_applied_at_env_step");
        versionFirstSeenAtStep.forEach((version, step) -> {
            j.element();
            j.field("version", version);
            j.field("env_steps", step);
            j.close();
        });
        j.closeArray();
        j.end();
        Files.writeString(json, j.toString(), StandardCharsets.UTF_8);
        plot(png);
    }

    /** Environment steps when held-out success first reached {@code level} (an evaluation's start), or -1. */
    long stepsTo(double level) {
        for (Eval e : evaluations.values()) {
            if (!e.evaluation().getLabel().equals("base") && e.evaluation().getFinished()
                    && rate(e.evaluation()) >= level) {
                return e.evaluation().getEnvStepsAtStart();
            }
        }
        return -1;
    }

    private void plot(Path png) throws IOException {
        XYSeries learning = new XYSeries("learning arm (held-out success)");
        XYSeries baseArm = new XYSeries("base policy (held-out success)");
        Eval base = evaluations.get("base");
        double maxStep = 1;
        for (Sample s : samples) {
            maxStep = Math.max(maxStep, s.envSteps());
        }
        for (Eval e : evaluations.values()) {
            SimEvaluation v = e.evaluation();
            if (!v.getFinished() || v.getLabel().equals("base")) {
                continue;
            }
            learning.add(v.getEnvStepsAtStart(), rate(v));
        }
        if (base != null && base.evaluation().getFinished()) {
            baseArm.add(0, rate(base.evaluation()));
            baseArm.add(maxStep, rate(base.evaluation()));
        }
        XYSeriesCollection success = new XYSeriesCollection();
        success.addSeries(learning);
        success.addSeries(baseArm);
        XYLineAndShapeRenderer sr = new XYLineAndShapeRenderer(true, true);
        sr.setSeriesPaint(0, new Color(0, 90, 181));
        sr.setSeriesPaint(1, new Color(220, 50, 32));
        sr.setSeriesStroke(1, new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f},
                0f));
        sr.setSeriesShapesVisible(1, false);
        NumberAxis rateAxis = new NumberAxis("held-out success rate");
        rateAxis.setRange(0, 1.02);
        XYPlot top = new XYPlot(success, null, rateAxis, sr);
        for (Map.Entry<Long, Long> v : versionFirstSeenAtStep.entrySet()) {
            ValueMarker m = new ValueMarker(v.getValue(), new Color(120, 120, 120), new BasicStroke(0.8f));
            top.addDomainMarker(m);
        }
        XYSeries takeovers = new XYSeries("person's takeovers (cumulative)");
        XYSeries episodes = new XYSeries("training episodes (cumulative)");
        for (Sample s : samples) {
            takeovers.add(s.envSteps(), s.interventions());
            episodes.add(s.envSteps(), s.trainingEpisodes());
        }
        XYSeriesCollection counts = new XYSeriesCollection();
        counts.addSeries(takeovers);
        counts.addSeries(episodes);
        XYLineAndShapeRenderer cr = new XYLineAndShapeRenderer(true, false);
        cr.setSeriesPaint(0, new Color(230, 159, 0));
        cr.setSeriesPaint(1, new Color(0, 158, 115));
        XYPlot bottom = new XYPlot(counts, null, new NumberAxis("episodes"), cr);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("environment steps (policy steps, all robots)"));
        plot.add(top, 3);
        plot.add(bottom, 1);
        JFreeChart chart = new JFreeChart(String.format(Locale.ROOT,
                "Tendon local loop (%s): held-out success, updates applied (grey lines)", preset.name()),
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 640);
    }

    /** A small JSON writer for the report (objects, arrays, numbers, strings, booleans). */
    /** A small JSON writer: the report's, and the loop benchmark's flat file. */
    static final class Json {
        private final StringBuilder b = new StringBuilder();
        private final List<Boolean> first = new ArrayList<>();

        void open() {
            b.append('{');
            first.add(true);
        }

        private void comma() {
            int top = first.size() - 1;
            if (!first.get(top)) {
                b.append(',');
            }
            first.set(top, false);
            b.append('\n').append("  ".repeat(first.size()));
        }

        private void key(String k) {
            comma();
            b.append('"').append(k).append("\": ");
        }

        void field(String k, String v) {
            key(k);
            b.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }

        void field(String k, boolean v) {
            key(k);
            b.append(v);
        }

        void field(String k, long v) {
            key(k);
            b.append(v);
        }

        void field(String k, double v) {
            key(k);
            b.append(Double.isFinite(v) ? (v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
                    : String.format(Locale.ROOT, "%.6g", v)) : "null");
        }

        void object(String k) {
            key(k);
            b.append('{');
            first.add(true);
        }

        void array(String k) {
            key(k);
            b.append('[');
            first.add(true);
        }

        void element() {
            comma();
            b.append('{');
            first.add(true);
        }

        void close() {
            first.remove(first.size() - 1);
            b.append('\n').append("  ".repeat(first.size())).append('}');
        }

        void closeArray() {
            first.remove(first.size() - 1);
            b.append('\n').append("  ".repeat(first.size())).append(']');
        }

        void end() {
            close();
            b.append('\n');
        }

        @Override
        public String toString() {
            return b.toString();
        }
    }
}
