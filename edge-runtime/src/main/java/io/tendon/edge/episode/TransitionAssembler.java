package io.tendon.edge.episode;

import io.tendon.edge.sim.EpisodeOutcome;
import io.tendon.edge.sim.PolicyStep;
import io.tendon.edge.sim.SimFeatures;
import io.tendon.schemas.v1.ActionChunk;
import io.tendon.schemas.v1.Observation;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Groups a simulated episode's policy steps into Transitions of H steps (layout 1):
 * {@code s} is the observation before the window's first step, {@code a} the H executed action
 * rows, {@code r_i} each step's reward (plus any reward a person assigned), {@code s'} the
 * observation after the window's last step. A window cut short by the episode's end carries
 * the steps it has, with {@code valid_mask} false (and zeros) for the rest, and
 * {@code terminated} (success or failure) or {@code truncated} (time-out).
 *
 * <p>Source: DEMO when the scripted expert is the demonstrator; otherwise INTERVENTION when a
 * person was in control in any step of the window, else ROLLOUT, with the policy's own chunk at
 * {@code s} from {@link ProposalSource}. Runs on one thread.
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
    private final boolean demonstrations;
    private final ProposalSource proposals;
    private final RewardInbox rewards;
    private final LongSupplier wallNanos;
    private final Consumer<Transition> sink;
    private final EpisodeListener episodes;

    private long episodeIndex = -1;
    private String episodeId = "";
    private int windowIndex;
    private int firstStepOfWindow;
    private int rows;
    private long windowStartNanos;
    private final float[] latent = new float[SimFeatures.LATENT_DIM];
    private final float[] proprio = new float[SimFeatures.PROPRIO_DIM];
    private final float[] wrench = new float[12];
    private final float[] actions;
    private final float[] stepRewards;
    private final boolean[] human;
    private final float[] proposal;
    private long proposalVersion = -1;
    private final double[] lastWrenchMean = new double[6];
    private final double[] lastWrenchPeak = new double[6];
    private boolean lastHuman;
    private long emitted;
    private long unrecordable;
    private long gaps;
    private int nextStep;

    /** Told when episodes start and end, e.g. to send markers. */
    public interface EpisodeListener {
        void started(String episodeId, long seed);

        void ended(String episodeId, int lastStep, int outcome);
    }

    public TransitionAssembler(String robotId, String runId, int layoutVersion, int horizon, boolean demonstrations,
            ProposalSource proposals, RewardInbox rewards, LongSupplier wallNanos, Consumer<Transition> sink,
            EpisodeListener episodes) {
        this.robotId = robotId;
        this.runId = runId;
        this.layoutVersion = layoutVersion;
        this.horizon = horizon;
        this.demonstrations = demonstrations;
        this.proposals = proposals;
        this.rewards = rewards;
        this.wallNanos = wallNanos;
        this.sink = sink;
        this.episodes = episodes;
        actions = new float[horizon * ActionRows.WIDTH];
        stepRewards = new float[horizon];
        human = new boolean[horizon];
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
        if (rows == 0) {
            startWindow(step);
        }
        ActionRows.write(step.executed, actions, rows * ActionRows.WIDTH);
        stepRewards[rows] = (float) step.reward;
        human[rows] = step.human;
        rows++;
        boolean ended = step.terminated || step.truncated;
        if (rows == horizon || ended) {
            finishWindow(step);
        }
        System.arraycopy(step.wrenchMean, 0, lastWrenchMean, 0, 6);
        System.arraycopy(step.wrenchPeak, 0, lastWrenchPeak, 0, 6);
        lastHuman = step.human;
        if (ended && episodes != null) {
            episodes.ended(episodeId, step.step, step.outcome);
        }
    }

    private void startEpisode(PolicyStep step) {
        episodeIndex = step.episodeIndex;
        episodeId = runId + "-" + step.episodeIndex;
        windowIndex = 0;
        rows = 0;
        java.util.Arrays.fill(lastWrenchMean, 0);
        java.util.Arrays.fill(lastWrenchPeak, 0);
        lastHuman = false;
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
        SimFeatures.latent(step.observation, lastWrenchMean, lastWrenchPeak, lastHuman, latent);
        SimFeatures.proprio(step.observation, proprio);
        summary(lastWrenchMean, lastWrenchPeak, wrench);
        proposalVersion = demonstrations ? 0 : proposals == null ? -1 : proposals.latest(proposal, horizon);
    }

    private void finishWindow(PolicyStep last) {
        if (rewards != null) {
            rewards.drain(firstStepOfWindow, firstStepOfWindow + rows, stepRewards);
        }
        boolean anyHuman = false;
        for (int i = 0; i < rows; i++) {
            anyHuman |= human[i];
        }
        Source source = demonstrations ? Source.DEMO : anyHuman ? Source.INTERVENTION : Source.ROLLOUT;
        if (source != Source.DEMO && proposalVersion < 0) {
            // Nobody proposed a chunk at s: the record would not be a valid transition.
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
        float[] nextLatent = new float[SimFeatures.LATENT_DIM];
        float[] nextProprio = new float[SimFeatures.PROPRIO_DIM];
        float[] nextWrench = new float[12];
        SimFeatures.latent(last.nextObservation, last.wrenchMean, last.wrenchPeak, last.human, nextLatent);
        SimFeatures.proprio(last.nextObservation, nextProprio);
        summary(last.wrenchMean, last.wrenchPeak, nextWrench);
        t.setNextObservation(observation(nextLatent, nextProprio, nextWrench));
        return t.build();
    }

    private static void summary(double[] mean, double[] peak, float[] out) {
        for (int i = 0; i < 6; i++) {
            out[i] = (float) mean[i];
            out[6 + i] = (float) peak[i];
        }
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

    /** Windows dropped because policy steps were missing. */
    public long gaps() {
        return gaps;
    }

    public String episodeId() {
        return episodeId;
    }
}
