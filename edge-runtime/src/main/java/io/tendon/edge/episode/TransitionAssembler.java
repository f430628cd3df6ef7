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

    private long episodeIndex = -1;
    private volatile String episodeId = "";
    private int windowIndex;
    private int firstStepOfWindow;
    private int rows;
    private long windowStartNanos;
    private final float[] latent;
    private final float[] proprio = new float[StepObservation.PROPRIO_DIM];
    private final float[] wrench = new float[StepObservation.WRENCH_SUMMARY_DIM];
    private final float[] actions;
    private final float[] stepRewards;
    private final boolean[] human;
    private final boolean[] demonstrated;
    private final float[] proposal;
    private long proposalVersion = -1;
    private long emitted;
    private long stepsWithoutFeatures;
    private long unrecordable;
    private long gaps;
    private int nextStep;

    /** Told when episodes start and end, e.g. to send markers. */
    public interface EpisodeListener {
        /** @param seed the simulator's seed of the episode, 0 on a robot */
        void started(String episodeId, long seed);

        void ended(String episodeId, int lastStep, int outcome);
    }

    /**
     * @param latentDim the layout's latent-dim: the size of every step observation's latent
     */
    public TransitionAssembler(String robotId, String runId, int layoutVersion, int latentDim, int horizon,
            ProposalSource proposals, RewardInbox rewards, LongSupplier wallNanos, Consumer<Transition> sink,
            EpisodeListener episodes) {
        this.robotId = robotId;
        this.runId = runId;
        this.layoutVersion = layoutVersion;
        this.horizon = horizon;
        this.proposals = proposals;
        this.rewards = rewards;
        this.wallNanos = wallNanos;
        this.sink = sink;
        this.episodes = episodes;
        latent = new float[latentDim];
        actions = new float[horizon * ActionRows.WIDTH];
        stepRewards = new float[horizon];
        human = new boolean[horizon];
        demonstrated = new boolean[horizon];
        proposal = new float[horizon * ActionRows.WIDTH];
    }

    public void onStep(PolicyStep step) {
        if (step.episodeIndex != episodeIndex) {
            startEpisode(step);
        } else if (step.step != nextStep) {
            // Steps were lost on the way here: a window across the gap would pair an action
            // chunk with the wrong s'. Drop it and start again at this step.
            gaps++;
            rows = 0;
        }
        nextStep = step.step + 1;
        if (!step.observation.featuresPresent || !step.nextObservation.featuresPresent) {
            // No latent to record: the window so far is dropped with this step.
            stepsWithoutFeatures++;
            rows = 0;
            return;
        }
        if (rows == 0) {
            startWindow(step);
        }
        ActionRows.write(step.executed, actions, rows * ActionRows.WIDTH);
        stepRewards[rows] = (float) step.reward;
        human[rows] = step.human;
        demonstrated[rows] = step.executed.demonstration && !step.human;
        rows++;
        boolean ended = step.terminated || step.truncated;
        if (rows == horizon || ended) {
            finishWindow(step);
        }
        if (ended && episodes != null) {
            episodes.ended(episodeId, step.step, step.outcome);
        }
    }

    private void startEpisode(PolicyStep step) {
        episodeIndex = step.episodeIndex;
        episodeId = runId + "-" + step.episodeIndex;
        windowIndex = 0;
        rows = 0;
        if (rewards != null) {
            rewards.startEpisode(episodeId);
        }
        if (episodes != null) {
            episodes.started(episodeId, step.seed);
        }
    }

    private void startWindow(PolicyStep step) {
        firstStepOfWindow = step.step;
        windowStartNanos = wallNanos.getAsLong();
        StepObservation s = step.observation;
        System.arraycopy(s.latent, 0, latent, 0, latent.length);
        s.proprio(proprio, 0);
        s.wrenchSummary(wrench, 0);
        proposalVersion = step.executed.demonstration ? 0 : proposals == null ? -1 : proposals.latest(proposal, horizon);
    }

    private void finishWindow(PolicyStep last) {
        if (rewards != null) {
            rewards.drain(firstStepOfWindow, firstStepOfWindow + rows, stepRewards);
        }
        boolean anyHuman = false;
        boolean allDemonstrated = true;
        boolean anyDemonstrated = false;
        for (int i = 0; i < rows; i++) {
            anyHuman |= human[i];
            allDemonstrated &= demonstrated[i];
            anyDemonstrated |= demonstrated[i];
        }
        Source source = allDemonstrated ? Source.DEMO : anyHuman ? Source.INTERVENTION : Source.ROLLOUT;
        if (source != Source.DEMO && (proposalVersion < 0 || anyDemonstrated)) {
            // Nobody proposed a chunk at s (or the demonstrator handed over to a policy inside the
            // window): the record would not be a valid transition.
            unrecordable++;
        } else {
            sink.accept(build(last, source));
            emitted++;
        }
        windowIndex++;
        rows = 0;
    }

    private Transition build(PolicyStep last, Source source) {
        Transition.Builder t = Transition.newBuilder()
                .setLayoutVersion(layoutVersion)
                .setRobotId(robotId)
                .setEpisodeId(episodeId)
                .setStep(windowIndex)
                .setSource(source)
                .setPolicyVersion(source == Source.DEMO ? 0 : proposalVersion)
                .setObservation(observation(latent, proprio, wrench))
                .setTerminated(last.outcome == EpisodeOutcome.SUCCESS || last.outcome == EpisodeOutcome.FAILURE)
                .setTruncated(last.outcome == EpisodeOutcome.TIMEOUT)
                .setStartTimeUnixNanos(windowStartNanos);
        ActionChunk.Builder executed = ActionChunk.newBuilder().setHorizon(horizon).setActionDim(ActionRows.WIDTH);
        for (int i = 0; i < horizon * ActionRows.WIDTH; i++) {
            executed.addValues(i < rows * ActionRows.WIDTH ? actions[i] : 0f);
        }
        t.setExecutedChunk(executed);
        if (source != Source.DEMO) {
            ActionChunk.Builder own = ActionChunk.newBuilder().setHorizon(horizon).setActionDim(ActionRows.WIDTH);
            for (float v : proposal) {
                own.addValues(v);
            }
            t.setPolicyChunk(own);
        }
        for (int i = 0; i < horizon; i++) {
            boolean valid = i < rows;
            t.addRewards(valid ? stepRewards[i] : 0f);
            t.addValidMask(valid);
            t.addInterventionMask(valid && human[i]);
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
