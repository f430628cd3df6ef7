package io.tendon.edge.episode;

import io.tendon.edge.step.EpisodeOutcome;
import io.tendon.edge.step.PolicyStep;
import io.tendon.edge.step.StepObservation;
import io.tendon.schemas.v1.ActionChunk;
import io.tendon.schemas.v1.Observation;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Groups an episode's policy steps, from the simulator or a real robot alike, into Transitions
 * of H steps (layout 1): {@code s} is the observation before the window's first step (the
 * robot's latent, proprioception and the wrench summary of the step before), {@code a} the H
 * executed action rows, {@code r_i} each step's reward (plus any reward a person assigned),
 * {@code s'} the observation after the window's last step. A window cut short by the episode's
 * end carries the steps it has, with {@code valid_mask} false (and zeros) for the rest, and
 * {@code terminated} (success or failure) or {@code truncated} (time-out, operator stop).
 *
 * <p>Source: DEMO when a scripted demonstrator made every step's targets; otherwise INTERVENTION
 * when a person was in control in any step of the window, else ROLLOUT, with the policy's own
 * chunk at {@code s} from {@link ProposalSource}. Steps whose observation has no features yet (a robot driver that
 * has not sent any) cannot be recorded: they and their windows are dropped and counted. Runs on one thread.
 */
public final class TransitionAssembler {

    /** The policy's own chunk at the start of a window, for ROLLOUT and INTERVENTION records. */
    public interface ProposalSource {
        /** Fills {@code rows} (H x 13) with the latest proposal and returns its policy version, or -1 if none. */
        long latest(float[] rows, int horizon);
    }

    private final String robotId;
    private final String runId;
    private final int layoutVersion;
    private final int horizon;
    private final ProposalSource proposals;
    private final RewardInbox rewards;
    private final LongSupplier wallNanos;
    private final Consumer<Transition> sink;
    private final EpisodeListener episodes;

    private final int stride;
    private long episodeIndex = -1;
    private volatile String episodeId = "";
    /** Consecutive recordable steps since the episode started or the last gap: windows start at multiples of stride. */
    private int run;
    /** Steps held in the ring (at most H), the newest at ring index (run - 1) % H. */
    private int held;
    // The ring of the last H steps: what a window needs of each of its steps.
    private final float[][] stepLatent;
    private final float[][] stepProprio;
    private final float[][] stepWrench;
    private final float[] actions;
    private final float[] stepRewards;
    private final boolean[] human;
    private final boolean[] demonstrated;
    private final float[][] stepProposal;
    private final long[] stepProposalVersion;
    private final long[] stepStartNanos;
    private final int[] stepIndex;
    private final float[] windowRewards;
    private final float[] windowActions;
    private long emitted;
    private long stepsWithoutFeatures;
    private long stepsWithoutAction;
    private long unrecordable;
    private long gaps;
    private int nextStep;

    /** Told when episodes start and end, e.g. to send markers. */
    public interface EpisodeListener {
        /** @param seed the simulator's seed of the episode, 0 on a robot */
        void started(String episodeId, long seed);

        void ended(String episodeId, int lastStep, int outcome);
    }

    /** Windows that do not overlap (stride = horizon). */
    public TransitionAssembler(String robotId, String runId, int layoutVersion, int latentDim, int horizon,
            ProposalSource proposals, RewardInbox rewards, LongSupplier wallNanos, Consumer<Transition> sink,
            EpisodeListener episodes) {
        this(robotId, runId, layoutVersion, latentDim, horizon, horizon, proposals, rewards, wallNanos, sink, episodes);
    }

    /**
     * @param latentDim the layout's latent-dim: the size of every step observation's latent
     * @param stride    policy steps between the first steps of consecutive windows (1..horizon)
     */
    public TransitionAssembler(String robotId, String runId, int layoutVersion, int latentDim, int horizon, int stride,
            ProposalSource proposals, RewardInbox rewards, LongSupplier wallNanos, Consumer<Transition> sink,
            EpisodeListener episodes) {
        if (stride < 1 || stride > horizon) {
            throw new IllegalArgumentException("stride " + stride + " must lie in 1.." + horizon);
        }
        this.robotId = robotId;
        this.runId = runId;
        this.layoutVersion = layoutVersion;
        this.horizon = horizon;
        this.stride = stride;
        this.proposals = proposals;
        this.rewards = rewards;
        this.wallNanos = wallNanos;
        this.sink = sink;
        this.episodes = episodes;
        stepLatent = new float[horizon][latentDim];
        stepProprio = new float[horizon][StepObservation.PROPRIO_DIM];
        stepWrench = new float[horizon][StepObservation.WRENCH_SUMMARY_DIM];
        actions = new float[horizon * ActionRows.WIDTH];
        stepRewards = new float[horizon];
        human = new boolean[horizon];
        demonstrated = new boolean[horizon];
        stepProposal = new float[horizon][horizon * ActionRows.WIDTH];
        stepProposalVersion = new long[horizon];
        stepStartNanos = new long[horizon];
        stepIndex = new int[horizon];
        windowRewards = new float[horizon];
        windowActions = new float[horizon * ActionRows.WIDTH];
    }

    public void onStep(PolicyStep step) {
        if (step.episodeIndex != episodeIndex) {
            startEpisode(step);
        } else if (step.step != nextStep) {
            // Steps were lost on the way here: a window across the gap would pair an action
            // chunk with the wrong s'. Drop it and start again at this step.
            gaps++;
            run = 0;
            held = 0;
        }
        nextStep = step.step + 1;
        boolean ended = step.terminated || step.truncated;
        if (!step.observation.featuresPresent || !step.nextObservation.featuresPresent) {
            // No latent to record: the windows so far are dropped with this step.
            stepsWithoutFeatures++;
            run = 0;
            held = 0;
        } else if (!step.acted) {
            // The arm held with no targets (no policy, or an episode's first plan not there yet):
            // there is no action to learn from, and a window across it would teach "all zeros".
            stepsWithoutAction++;
            run = 0;
            held = 0;
        } else {
            record(step);
            int first = run - held; // run index of the oldest held step
            if (held == horizon && (run - horizon) % stride == 0) {
                // A full window ends here.
                finishWindow(step, run - horizon, horizon);
            }
            if (ended) {
                // Every window that started and has not been sent ends with the episode.
                for (int k = Math.max(first, run - horizon + 1); k < run; k++) {
                    if (k % stride == 0 && run - k < horizon) {
                        finishWindow(step, k, run - k);
                    }
                }
            }
        }
        if (ended && episodes != null) {
            episodes.ended(episodeId, step.step, step.outcome);
        }
    }

    private void startEpisode(PolicyStep step) {
        episodeIndex = step.episodeIndex;
        episodeId = runId + "-" + step.episodeIndex;
        run = 0;
        held = 0;
        if (rewards != null) {
            rewards.startEpisode(episodeId);
        }
        if (episodes != null) {
            episodes.started(episodeId, step.seed);
        }
    }

    /** Puts the step into the ring at run index {@code run}. */
    private void record(PolicyStep step) {
        int slot = run % horizon;
        StepObservation s = step.observation;
        System.arraycopy(s.latent, 0, stepLatent[slot], 0, stepLatent[slot].length);
        s.proprio(stepProprio[slot], 0);
        s.wrenchSummary(stepWrench[slot], 0);
        ActionRows.write(step.executed, actions, slot * ActionRows.WIDTH);
        stepRewards[slot] = (float) step.reward;
        human[slot] = step.human;
        demonstrated[slot] = step.executed.demonstration && !step.human;
        stepProposalVersion[slot] = step.executed.demonstration ? 0
                : proposals == null ? -1 : proposals.latest(stepProposal[slot], horizon);
        stepStartNanos[slot] = wallNanos.getAsLong();
        stepIndex[slot] = step.step;
        run++;
        held = Math.min(horizon, held + 1);
    }

    /** Sends the window of {@code rows} steps starting at run index {@code k}, ending with {@code last}. */
    private void finishWindow(PolicyStep last, int k, int rows) {
        int first = k % horizon;
        java.util.Arrays.fill(windowRewards, 0f);
        for (int i = 0; i < rows; i++) {
            int slot = (k + i) % horizon;
            windowRewards[i] = stepRewards[slot];
        }
        if (rewards != null) {
            // A person's reward for a step is taken when the first window holding the step is sent;
            // with overlapping windows it becomes part of that step's reward for the later ones too.
            int fromStep = stepIndex[first];
            float[] extra = new float[rows];
            rewards.drain(fromStep, fromStep + rows, extra);
            for (int i = 0; i < rows; i++) {
                if (extra[i] != 0f) {
                    int slot = (k + i) % horizon;
                    stepRewards[slot] += extra[i];
                    windowRewards[i] += extra[i];
                }
            }
        }
        boolean anyHuman = false;
        boolean allDemonstrated = true;
        boolean anyDemonstrated = false;
        for (int i = 0; i < rows; i++) {
            int slot = (k + i) % horizon;
            anyHuman |= human[slot];
            allDemonstrated &= demonstrated[slot];
            anyDemonstrated |= demonstrated[slot];
        }
        Source source = allDemonstrated ? Source.DEMO : anyHuman ? Source.INTERVENTION : Source.ROLLOUT;
        if (source != Source.DEMO && (stepProposalVersion[first] < 0 || anyDemonstrated)) {
            // Nobody proposed a chunk at s (or the demonstrator handed over to a policy inside the
            // window): the record would not be a valid transition.
            unrecordable++;
            return;
        }
        sink.accept(build(last, source, k, rows));
        emitted++;
    }

    private Transition build(PolicyStep last, Source source, int k, int rows) {
        int first = k % horizon;
        Transition.Builder t = Transition.newBuilder()
                .setLayoutVersion(layoutVersion)
                .setRobotId(robotId)
                .setEpisodeId(episodeId)
                .setStep(stepIndex[first] / stride)
                .setSource(source)
                .setPolicyVersion(source == Source.DEMO ? 0 : stepProposalVersion[first])
                .setObservation(observation(stepLatent[first], stepProprio[first], stepWrench[first]))
                .setTerminated(last.outcome == EpisodeOutcome.SUCCESS || last.outcome == EpisodeOutcome.FAILURE)
                .setTruncated(last.outcome == EpisodeOutcome.TIMEOUT)
                .setStartTimeUnixNanos(stepStartNanos[first]);
        if (stride != horizon) {
            t.setStride(stride);
        }
        for (int i = 0; i < rows; i++) {
            System.arraycopy(actions, ((k + i) % horizon) * ActionRows.WIDTH, windowActions, i * ActionRows.WIDTH,
                    ActionRows.WIDTH);
        }
        ActionChunk.Builder executed = ActionChunk.newBuilder().setHorizon(horizon).setActionDim(ActionRows.WIDTH);
        for (int i = 0; i < horizon * ActionRows.WIDTH; i++) {
            executed.addValues(i < rows * ActionRows.WIDTH ? windowActions[i] : 0f);
        }
        t.setExecutedChunk(executed);
        if (source != Source.DEMO) {
            ActionChunk.Builder own = ActionChunk.newBuilder().setHorizon(horizon).setActionDim(ActionRows.WIDTH);
            for (float v : stepProposal[first]) {
                own.addValues(v);
            }
            t.setPolicyChunk(own);
        }
        for (int i = 0; i < horizon; i++) {
            boolean valid = i < rows;
            t.addRewards(valid ? windowRewards[i] : 0f);
            t.addValidMask(valid);
            t.addInterventionMask(valid && human[(k + i) % horizon]);
        }
        StepObservation next = last.nextObservation;
        float[] nextProprio = new float[StepObservation.PROPRIO_DIM];
        float[] nextWrench = new float[StepObservation.WRENCH_SUMMARY_DIM];
        next.proprio(nextProprio, 0);
        next.wrenchSummary(nextWrench, 0);
        t.setNextObservation(observation(next.latent, nextProprio, nextWrench));
        return t.build();
    }

    private static Observation observation(float[] latent, float[] proprio, float[] wrench) {
        Observation.Builder o = Observation.newBuilder();
        for (float v : latent) {
            o.addLatent(v);
        }
        for (float v : proprio) {
            o.addProprio(v);
        }
        for (float v : wrench) {
            o.addWrench(v);
        }
        return o.build();
    }

    /** Transitions handed to the sink. */
    public long emitted() {
        return emitted;
    }

    /** Windows that could not be recorded: no demonstration and no policy proposal at s. */
    public long unrecordable() {
        return unrecordable;
    }

    /** Steps not recorded because the robot had not supplied observation features (their windows are dropped). */
    /** Steps in which no targets were in use (the arm held): not recorded, windows across them dropped. */
    public long stepsWithoutAction() {
        return stepsWithoutAction;
    }

    public long stepsWithoutFeatures() {
        return stepsWithoutFeatures;
    }

    /** Windows dropped because policy steps were missing. */
    public long gaps() {
        return gaps;
    }

    public String episodeId() {
        return episodeId;
    }
}
