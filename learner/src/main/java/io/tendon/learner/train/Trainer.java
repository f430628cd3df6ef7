package io.tendon.learner.train;

import io.tendon.learner.checkpoint.AtomicFile;
import io.tendon.learner.checkpoint.CheckpointStore;
import io.tendon.learner.config.Stage;
import io.tendon.learner.export.ExportRefusedException;
import io.tendon.learner.export.ExportVerifier;
import io.tendon.learner.export.VerifiedExport;
import io.tendon.learner.metrics.TrainerMeters;
import io.tendon.learner.publish.PolicyPublisher;
import io.tendon.learner.publish.PublishCadence;
import io.tendon.learner.publish.PublishException;
import io.tendon.learner.publish.VersionStore;
import io.tendon.learner.replay.Batch;
import io.tendon.schemas.v1.NamedValue;
import io.tendon.schemas.v1.Provenance;
import io.tendon.schemas.v1.Source;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * The trainer loop, on its own thread: fixes the training units from the demonstrations, runs
 * the configured stages in order, each for its step budget (BC warm-up on demonstrations; the
 * offline critic on the mixed replay; then forever or for its budget, K critic updates with a'
 * from the current policy and one head (ALOE) and/or residual (BORA) update per step), exports
 * and verifies the BC head when warm-up ends (a refused export keeps BC going and is tried again)
 * and the online graphs on the publishing cadence, publishes what verified, and checkpoints on
 * its own cadence and at every stage end. When a stage cannot sample, the status says why.
 */
public final class Trainer implements Runnable {

    private static final Logger LOG = Logger.getLogger(Trainer.class);

    /** The knobs the loop itself needs (the networks' own live in {@link TrainingRun}). */
    public record Settings(String learnerId, String policyId, long bcSteps, long offlineCriticSteps, long onlineSteps,
            int onlineCriticUpdates, long idleWaitMs, boolean replaceBaseAfterBc, int probeRows,
            long publishEverySteps, int publishEverySeconds, long checkpointEverySteps, int checkpointEverySeconds,
            Optional<Path> exportDir, int bcMinTransitions) {

        /** BC steps between two tries of a refused BC head export. */
        long exportRetrySteps() {
            return Math.max(50, bcSteps / 10);
        }
    }

    private final TrainingRun run;
    private final TrainingData data;
    private final Settings settings;
    private final VersionStore versions;
    private final Optional<PolicyPublisher> publisher;
    private final ExportVerifier verifier;
    private final Optional<CheckpointStore> checkpoints;
    private final Batch batch;
    private final RateWindow rate = new RateWindow(TimeUnit.SECONDS.toNanos(10));
    // The achieved update-to-data ratio: rows inserted, rows sampled and critic updates over the same window.
    private final RateWindow inserted = new RateWindow(TimeUnit.SECONDS.toNanos(10));
    private final RateWindow sampled = new RateWindow(TimeUnit.SECONDS.toNanos(10));
    private final RateWindow criticUpdates = new RateWindow(TimeUnit.SECONDS.toNanos(10));
    private final PublishCadence publishCadence;
    private final AtomicLong exportsRefused = new AtomicLong();
    private final AtomicLong publishFailures = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean waiting;
    private volatile String lastProblem = "";
    /** Why the current stage cannot take a step now ("" while it can). */
    private volatile String blockedReason = "";
    private final java.util.concurrent.ConcurrentHashMap<String, AtomicLong> blockedCounts =
            new java.util.concurrent.ConcurrentHashMap<>();
    private long nextBcExportAt = -1;
    private volatile Thread thread;
    private volatile TrainerMeters meters = TrainerMeters.detached();
    private long lastCheckpointSteps;
    private long lastCheckpointNanos;
    private long lastRateNanos;

    public Trainer(TrainingRun run, TrainingData data, Settings settings, VersionStore versions,
            Optional<PolicyPublisher> publisher, ExportVerifier verifier, Optional<CheckpointStore> checkpoints) {
        this.run = run;
        this.data = data;
        this.settings = settings;
        this.versions = versions;
        this.publisher = publisher;
        this.verifier = verifier;
        this.checkpoints = checkpoints;
        this.batch = run.newBatch();
        long now = System.nanoTime();
        this.publishCadence = new PublishCadence(settings.publishEverySteps(), settings.publishEverySeconds(),
                run.onlineStages().isEmpty() ? 0 : run.stageSteps(), now);
        this.lastCheckpointSteps = run.totalSteps();
        this.lastCheckpointNanos = now;
        run.setPublishedVersion(versions.lastPublished());
    }

    /** Where step times, failures, publishes and checkpoints are counted (before {@link #start()}). */
    public void meters(TrainerMeters trainerMeters) {
        meters = trainerMeters;
    }

    /** Starts the loop on a new daemon thread. */
    public synchronized Thread start() {
        Thread t = new Thread(this, "tendon-trainer");
        t.setDaemon(true);
        thread = t;
        t.start();
        return t;
    }

    /** Stops the loop after the current step, waits for it, and writes a final checkpoint. */
    public void stop() throws InterruptedException {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            t.join(TimeUnit.SECONDS.toMillis(60));
        }
        checkpoint("shutdown");
    }

    @Override
    public void run() {
        LOG.infof("trainer started in stage %s (%d steps done)", run.stage(), run.stageSteps());
        long backoffMs = settings.idleWaitMs();
        while (running) {
            boolean worked;
            try {
                long started = System.nanoTime();
                worked = step();
                if (worked) {
                    meters.stepDone(System.nanoTime() - started);
                }
                backoffMs = settings.idleWaitMs();
            } catch (RuntimeException e) {
                meters.stepFailed();
                lastProblem = "step failed in " + run.stage() + ": " + e;
                LOG.errorf(e, "training step failed in stage %s; retrying in %d ms", run.stage(), backoffMs);
                worked = false;
                waiting = true;
                blocked("step failed: " + e);
                backoffMs = Math.min(60_000, backoffMs * 2);
            }
            long now = System.nanoTime();
            if (now - lastRateNanos > 500_000_000L) {
                recordRates(now);
                lastRateNanos = now;
            }
            if (!worked && running) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMs));
            }
        }
    }

    /** Samples the running counts behind the rates in the status (the loop does it every 500 ms). */
    void recordRates(long nowNanos) {
        Map<String, Long> steps = run.steps();
        rate.record(nowNanos, steps.values().stream().mapToLong(Long::longValue).sum());
        criticUpdates.record(nowNanos, steps.getOrDefault(TrainingRun.NET_CRITIC, 0L));
        if (data != null) {
            inserted.record(nowNanos, data.rowsInserted());
            sampled.record(nowNanos, data.rowsSampled());
        }
    }

    /**
     * One unit of work of the current stage; false when there was nothing to do (the status then
     * says why until a step works again).
     */
    public boolean step() {
        boolean worked = stepOnce();
        waiting = !worked;
        return worked;
    }

    private boolean stepOnce() {
        Stage stage = run.stage();
        if (stage != Stage.DONE && !run.unitsFrozen() && !freezeUnits(stage)) {
            return false;
        }
        switch (stage) {
            case BC_WARMUP -> {
                if (run.stageSteps() >= settings.bcSteps() && run.stageSteps() >= nextBcExportAt) {
                    if (!finishBc()) {
                        // Refused: train on and try again later, instead of advancing without a base.
                        nextBcExportAt = run.stageSteps() + settings.exportRetrySteps();
                        return true;
                    }
                    nextStage();
                    return true;
                }
                if (!sample(data == null ? null : data.demonstrations(), false)) {
                    return false;
                }
                run.bcStep(batch);
            }
            case OFFLINE_CRITIC -> {
                if (run.stageSteps() >= settings.offlineCriticSteps()) {
                    nextStage();
                    return true;
                }
                if (!sample(data == null ? null : data.replay(), true)) {
                    return false;
                }
                run.offlineCriticStep(batch);
                reportPriorities();
            }
            case ONLINE_RESIDUAL, ONLINE_HEAD -> {
                List<Stage> online = run.onlineStages();
                if (settings.onlineSteps() > 0 && run.stageSteps() >= settings.onlineSteps()) {
                    publishOnline(online);
                    while (!run.onlineStages().isEmpty()) {
                        nextStage();
                    }
                    return true;
                }
                BatchSource mixed = data == null ? null : data.replay();
                for (int i = 0; i < settings.onlineCriticUpdates(); i++) {
                    if (!sample(mixed, true)) {
                        return false;
                    }
                    run.onlineCriticStep(batch);
                    reportPriorities();
                }
                if (online.contains(Stage.ONLINE_HEAD)) {
                    if (!sample(mixed, true)) {
                        return false;
                    }
                    run.headStep(batch);
                }
                if (online.contains(Stage.ONLINE_RESIDUAL)) {
                    if (!sample(mixed, true)) {
                        return false;
                    }
                    run.residualStep(batch);
                }
                if (publishCadence.due(run.stageSteps(), System.nanoTime())) {
                    publishOnline(online);
                }
            }
            case DONE -> {
                return false;
            }
        }
        blockedReason = "";
        maybeCheckpoint();
        return true;
    }

    /** With prioritised replay, the critic step's TD errors become the sampled rows' new priorities. */
    private void reportPriorities() {
        if (run.prioritised()) {
            data.updatePriorities(batch, run.tdErrors());
        }
    }

    /** Draws a batch; when none can be had, records why (status and a per-reason count). */
    private boolean sample(BatchSource source, boolean mixed) {
        if (source == null) {
            blocked("no replay");
            return false;
        }
        if (source.sample(batch)) {
            return true;
        }
        blocked(data.whyNoBatch(mixed));
        return false;
    }

    private void blocked(String reason) {
        blockedReason = reason;
        blockedCounts.computeIfAbsent(reasonKey(reason), k -> new AtomicLong()).incrementAndGet();
    }

    /** The short label of a blocked reason (its text up to the first colon). */
    static String reasonKey(String reason) {
        int colon = reason.indexOf(':');
        return (colon < 0 ? reason : reason.substring(0, colon)).trim();
    }

    /**
     * Fixes the training units before the first gradient step: from the DEMO table once it holds
     * tendon.bc.min-transitions rows (BC_WARMUP waits for them), otherwise, for stages after
     * which no BC runs, from the mixed replay once it holds that many. False while waiting.
     */
    private boolean freezeUnits(Stage stage) {
        if (data == null) {
            blocked("no replay");
            return false;
        }
        // Statistics come from rows that can be trained on: rows of quality weight 0 do not count.
        long min = settings.bcMinTransitions();
        long demos = data.sampleable(Source.DEMO);
        boolean fromDemos = demos >= min;
        if (!fromDemos) {
            long all = demos + data.sampleable(Source.INTERVENTION) + data.sampleable(Source.ROLLOUT);
            boolean bc = stage == Stage.BC_WARMUP;
            if (bc || all < min) {
                long held = bc ? data.size(Source.DEMO)
                        : data.size(Source.DEMO) + data.size(Source.INTERVENTION) + data.size(Source.ROLLOUT);
                long usable = bc ? demos : all;
                String what = bc ? " DEMO" : "";
                blocked(held >= min
                        ? "quality: " + usable + " of " + held + what + " transitions held can be trained on (the rest"
                                + " belong to episodes of quality weight 0, tendon.quality.*), tendon.bc.min-transitions is "
                                + min
                        : "waiting for data: " + held + what + " transitions held, tendon.bc.min-transitions is " + min);
                return false;
            }
        }
        var units = data.units(fromDemos, run.layout(), run.units().horizon, run.units().actionDim,
                run.bundleNormalisation());
        run.freezeUnits(units);
        LOG.infof("training units frozen from %s (%d DEMO transitions)", units.origin(), demos);
        return true;
    }

    private void publishOnline(List<Stage> online) {
        if (online.contains(Stage.ONLINE_HEAD)) {
            exportVerified("head").ifPresent(this::publish);
        }
        if (online.contains(Stage.ONLINE_RESIDUAL)) {
            exportVerified("residual").ifPresent(this::publish);
        }
        publishCadence.reset(run.stageSteps(), System.nanoTime());
    }

    private void nextStage() {
        Stage from = run.stage();
        run.advanceStage();
        LOG.infof("stage %s done; now %s", from, run.stage());
        if (!run.onlineStages().isEmpty()) {
            publishCadence.reset(0, System.nanoTime());
        }
        checkpoint("end of " + from);
    }

    /** Exports, verifies, installs and publishes the BC head; false when the export was refused. */
    private boolean finishBc() {
        if (settings.bcSteps() == 0) {
            return true;
        }
        Optional<VerifiedExport> head = exportVerified("head");
        if (head.isEmpty()) {
            return false;
        }
        if (settings.replaceBaseAfterBc()) {
            run.useAsBase(head.get());
            LOG.infof("the BC-trained head (v%d) is now the frozen base policy", head.get().version());
        }
        publish(head.get());
        return true;
    }

    /** Reserves a version, exports, verifies; empty (and counted) when refused. */
    private Optional<VerifiedExport> exportVerified(String graph) {
        long version;
        try {
            version = versions.reserve();
        } catch (IOException e) {
            lastProblem = "cannot persist a new version: " + e.getMessage();
            LOG.errorf(e, "cannot persist a new policy version; not exporting %s", graph);
            return Optional.empty();
        }
        Provenance provenance = provenance(graph);
        try {
            VerifiedExport export = graph.equals("head")
                    ? run.exportHead(settings.policyId(), version, provenance, verifier, settings.probeRows())
                    : run.exportResidual(settings.policyId(), version, provenance, verifier, settings.probeRows());
            LOG.infof("exported %s v%d (%d bytes), ONNX Runtime within %.2g of LibTorch", graph, version, export.size(),
                    export.maxAbsError());
            settings.exportDir().ifPresent(dir -> writeExport(dir, export));
            return Optional.of(export);
        } catch (ExportRefusedException e) {
            exportsRefused.incrementAndGet();
            lastProblem = "export refused: " + e.getMessage();
            LOG.warnf("export of %s v%d refused, nothing published: %s", graph, version, e.getMessage());
            return Optional.empty();
        }
    }

    private void writeExport(Path dir, VerifiedExport export) {
        try {
            AtomicFile.write(dir.resolve(export.graph() + "-v" + export.version() + ".onnx"), export.bytes());
        } catch (IOException e) {
            LOG.warnf("could not write %s v%d to %s: %s", export.graph(), export.version(), dir, e.getMessage());
        }
    }

    private void publish(VerifiedExport export) {
        if (publisher.isEmpty()) {
            return;
        }
        try {
            publisher.get().publish(export);
            run.setPublishedVersion(export.version());
            meters.published(export.graph(), export.version());
            LOG.infof("published %s v%d", export.graph(), export.version());
        } catch (PublishException | RuntimeException e) {
            publishFailures.incrementAndGet();
            // sign() throws unchecked exceptions; send() wraps every broker failure in a PublishException.
            if (e instanceof PublishException) {
                meters.sendFailed();
            } else {
                meters.signFailed();
            }
            lastProblem = "publish failed: " + e.getMessage();
            LOG.warnf("publishing %s v%d failed; the next export gets a new version: %s", export.graph(), export.version(),
                    e.getMessage());
        }
    }

    private Provenance provenance(String graph) {
        Map<String, Long> steps = run.steps();
        Provenance.Builder p = Provenance.newBuilder()
                .setLearnerId(settings.learnerId())
                .setTrainingStep(steps.getOrDefault(graph.equals("head") ? TrainingRun.NET_BC : TrainingRun.NET_RESIDUAL, 0L))
                .setStage(run.stage().name())
                .setCreatedUnixNanos(nowNanos());
        if (data != null) {
            p.setDemoTransitions(data.size(Source.DEMO))
                    .setInterventionTransitions(data.size(Source.INTERVENTION))
                    .setRolloutTransitions(data.size(Source.ROLLOUT));
        }
        run.losses().forEach((name, value) -> p.addStats(NamedValue.newBuilder().setName(name).setValue(value)));
        steps.forEach((name, value) -> p.addStats(NamedValue.newBuilder().setName("steps_" + name).setValue(value)));
        return p.build();
    }

    private static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private void maybeCheckpoint() {
        long steps = run.totalSteps();
        long now = System.nanoTime();
        boolean bySteps = settings.checkpointEverySteps() > 0 && steps - lastCheckpointSteps >= settings.checkpointEverySteps();
        boolean byTime = settings.checkpointEverySeconds() > 0
                && now - lastCheckpointNanos >= TimeUnit.SECONDS.toNanos(settings.checkpointEverySeconds());
        if (bySteps || byTime) {
            checkpoint("cadence");
        }
    }

    /** Writes a checkpoint now (no-op without a store). */
    public void checkpoint(String why) {
        if (checkpoints.isEmpty()) {
            return;
        }
        long steps = run.totalSteps();
        long started = System.nanoTime();
        try {
            checkpoints.get().write(steps, run.checkpointParts(data == null ? Map.of() : data.consumerOffsets()));
            meters.checkpoints().written(System.nanoTime() - started);
            lastCheckpointSteps = steps;
            lastCheckpointNanos = System.nanoTime();
            LOG.debugf("checkpoint %d written (%s)", steps, why);
        } catch (IOException | RuntimeException e) {
            meters.checkpoints().failed();
            lastProblem = "checkpoint failed: " + e.getMessage();
            LOG.errorf(e, "checkpoint %d (%s) failed; the previous one stays current", steps, why);
        }
    }

    public TrainingStatus status() {
        Map<String, Long> blocked = new java.util.TreeMap<>();
        blockedCounts.forEach((k, v) -> blocked.put(k, v.get()));
        double inserts = inserted.perSecond();
        return new TrainingStatus(run.stage(), run.stageSteps(), run.steps(), run.losses(), rate.perSecond(),
                run.publishedVersion(), exportsRefused.get(), publishFailures.get(), waiting, lastProblem,
                waiting ? blockedReason : "", blocked, inserts,
                inserts > 0 ? sampled.perSecond() / inserts : 0, inserts > 0 ? criticUpdates.perSecond() / inserts : 0);
    }

    public TrainingRun trainingRun() {
        return run;
    }
}
