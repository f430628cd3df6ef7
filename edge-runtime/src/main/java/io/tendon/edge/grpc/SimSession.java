package io.tendon.edge.grpc;

import io.tendon.edge.runtime.ControlService;
import io.tendon.edge.sim.SimRobot;
import io.tendon.edge.step.EpisodeOutcome;
import io.tendon.edge.step.PolicyStep;
import io.tendon.edge.step.PolicyStepListener;
import io.tendon.edge.update.PolicyUpdater;
import io.tendon.edge.update.service.UpdateService;
import io.tendon.schemas.update.UpdateRefusedException;
import io.tendon.schemas.v1.SimEvaluation;
import io.tendon.schemas.v1.SimStatus;
import io.tendon.schemas.v1.VersionEpisodes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * The simulator's episode plan seen from outside: counts of demonstration and training
 * episodes (per policy version, with the simulated person's takeovers) from the policy steps
 * (off the control thread), and evaluations on request: the policy frozen (the updater holds
 * the version asked for; updates that arrive meanwhile are verified and cached, and applied
 * once the evaluation ends), the robot runs the held-out seeds, nothing is published.
 */
@ApplicationScoped
public class SimSession implements PolicyStepListener {

    private static final Logger LOG = Logger.getLogger(SimSession.class);

    @Inject
    ControlService control;

    @Inject
    UpdateService updates;

    private final ExecutorService releaser = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tendon-sim-evaluation");
        t.setDaemon(true);
        return t;
    });

    // Dispatcher-thread state of the running episode.
    private long episodeVersion;
    private boolean episodeHuman;
    private boolean episodeDemo;
    private double simSeconds;

    // Guarded by this.
    private long demoEpisodes;
    private long trainingEpisodes;
    private long trainingSuccesses;
    private long interventions;
    private long envSteps;
    private final Map<Long, long[]> byVersion = new TreeMap<>();
    private final Deque<SimEvaluation.Builder> evaluations = new ArrayDeque<>();
    private SimEvaluation.Builder running;
    private double runningSeconds;

    /** The simulated robot, or an error for a real one. */
    private SimRobot sim() {
        SimRobot sim = control.simRobot();
        if (sim == null) {
            throw new IllegalStateException("the robot is not the simulator (tendon.edge.bridge=" + control.bridgeName() + ")");
        }
        return sim;
    }

    /**
     * Starts an evaluation (see the class comment); returns its record at once.
     *
     * @throws IllegalStateException while another evaluation runs, or with a real robot
     */
    public SimEvaluation evaluate(String label, int episodes, long firstSeed, long version)
            throws UpdateRefusedException, IOException {
        SimRobot sim = sim();
        if (episodes < 1 || episodes > 100_000) {
            throw new IllegalArgumentException("episodes must lie in 1..100000, was " + episodes);
        }
        synchronized (this) {
            if (running != null) {
                throw new IllegalStateException("evaluation '" + running.getLabel() + "' is still running ("
                        + running.getDone() + " of " + running.getRequested() + " episodes)");
            }
            running = SimEvaluation.newBuilder().setLabel(label).setRequested(episodes).setFirstSeed(firstSeed)
                    .setEnvStepsAtStart(envSteps);
            runningSeconds = 0;
        }
        try {
            PolicyUpdater updater = updates.updater().orElse(null);
            long held = 0;
            if (updater != null) {
                updater.hold(version, System.nanoTime());
                held = updater.activeVersion();
            } else if (version != 0) {
                throw new IllegalStateException("policy updates are off (tendon.edge.updates.enabled=false):"
                        + " only the running policy can be evaluated");
            }
            synchronized (this) {
                running.setPolicyVersion(held);
            }
        } catch (RuntimeException | UpdateRefusedException | IOException e) {
            synchronized (this) {
                running = null;
            }
            throw e;
        }
        sim.requestEvaluation(firstSeed, episodes);
        LOG.infof("evaluation '%s': %d episodes from seed %d, policy v%d", label, episodes, firstSeed,
                running.getPolicyVersion());
        synchronized (this) {
            return running.build();
        }
    }

    @Override
    public void onPolicyStep(PolicyStep step) {
        if (step.step == 0) {
            episodeVersion = 0;
            episodeHuman = false;
            episodeDemo = false;
        }
        if (!step.human && step.executed.policyVersion > episodeVersion) {
            episodeVersion = step.executed.policyVersion;
        }
        episodeHuman |= step.human;
        episodeDemo |= step.executed.demonstration && !step.human;
        simSeconds += step.ticks * control.settings().dt;
        if (!step.evaluation) {
            synchronized (this) {
                envSteps++;
            }
        }
        if (step.outcome == EpisodeOutcome.RUNNING) {
            return;
        }
        boolean success = step.outcome == EpisodeOutcome.SUCCESS;
        if (step.evaluation) {
            evaluationEpisodeEnded(step, success);
            return;
        }
        synchronized (this) {
            if (episodeDemo) {
                demoEpisodes++;
                return;
            }
            trainingEpisodes++;
            trainingSuccesses += success ? 1 : 0;
            interventions += episodeHuman ? 1 : 0;
            long[] v = byVersion.computeIfAbsent(episodeVersion, k -> new long[3]);
            v[0]++;
            v[1] += success ? 1 : 0;
            v[2] += episodeHuman ? 1 : 0;
        }
    }

    private void evaluationEpisodeEnded(PolicyStep step, boolean success) {
        boolean finished;
        synchronized (this) {
            if (running == null) {
                return;
            }
            running.setDone(running.getDone() + 1);
            switch (step.outcome) {
                case EpisodeOutcome.SUCCESS -> running.setSuccesses(running.getSuccesses() + 1);
                case EpisodeOutcome.FAILURE -> running.setFailures(running.getFailures() + 1);
                default -> running.setTimeouts(running.getTimeouts() + 1);
            }
            runningSeconds += step.nextObservation.time;
            running.setMeanSeconds(runningSeconds / running.getDone());
            finished = running.getDone() >= running.getRequested();
            if (finished) {
                running.setFinished(true);
                evaluations.addFirst(running);
                LOG.infof("evaluation '%s' done: %d of %d inserted (policy v%d)", running.getLabel(),
                        running.getSuccesses(), running.getDone(), running.getPolicyVersion());
                running = null;
            }
        }
        if (finished) {
            releaser.execute(this::release);
        }
    }

    private void release() {
        updates.updater().ifPresent(u -> {
            try {
                u.release(System.nanoTime());
            } catch (IOException e) {
                LOG.errorf(e, "could not release the policy after an evaluation");
            }
        });
    }

    public synchronized SimStatus status() {
        SimStatus.Builder b = SimStatus.newBuilder().setDemoEpisodes(demoEpisodes).setTrainingEpisodes(trainingEpisodes)
                .setTrainingSuccesses(trainingSuccesses).setInterventions(interventions).setEnvSteps(envSteps)
                .setSimSeconds(simSeconds);
        SimRobot sim = control.simRobot();
        b.setIdle(sim != null && sim.idle());
        updates.updater().ifPresent(u -> b.setActivePolicyVersion(u.activeVersion()));
        if (running != null) {
            b.addEvaluations(running.build());
        }
        for (SimEvaluation.Builder e : evaluations) {
            b.addEvaluations(e.build());
        }
        byVersion.forEach((version, v) -> b.addByVersion(VersionEpisodes.newBuilder().setPolicyVersion(version)
                .setEpisodes(v[0]).setSuccesses(v[1]).setInterventions(v[2])));
        return b.build();
    }
}
