package io.tendon.edge.episode;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tendon.edge.config.EdgeConfig;
import io.tendon.schemas.layout.LayoutConfig;
import io.tendon.edge.control.LatestValue;
import io.tendon.edge.kafka.EpisodeEventEmitter;
import io.tendon.edge.kafka.TransitionPublisher;
import io.tendon.edge.policy.ChunkRecord;
import io.tendon.edge.policy.service.PolicyService;
import io.tendon.edge.step.EpisodeOutcome;
import io.tendon.edge.step.PolicyStep;
import io.tendon.edge.step.PolicyStepListener;
import io.tendon.schemas.v1.EpisodeEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Records the robot's experience, simulated or real: every policy step (delivered off the
 * control thread) of a training episode goes into a {@link TransitionAssembler}; finished
 * transitions go to the {@link TransitionPublisher}, episode starts and ends to the
 * episode-events topic. Evaluation episodes publish nothing.
 */
@ApplicationScoped
public class TransitionRecorder implements PolicyStepListener {

    private static final Logger LOG = Logger.getLogger(TransitionRecorder.class);

    @Inject
    EdgeConfig config;

    @Inject
    LayoutConfig layout;

    @Inject
    TransitionPublisher publisher;

    @Inject
    PolicyService policy;

    @Inject
    EpisodeEventEmitter events;

    @Inject
    MeterRegistry registry;

    private RewardInbox rewards;
    private TransitionAssembler assembler;

    @PostConstruct
    void init() {
        String runId = "ep-" + Long.toString(System.currentTimeMillis(), 36);
        int stride = config.transitions().stride() == 0 ? layout.horizon() : config.transitions().stride();
        if (stride > layout.horizon()) {
            throw new IllegalStateException("tendon.edge.transitions.stride = " + stride + " exceeds the layout's horizon "
                    + layout.horizon() + " (tendon.layout.horizon)");
        }
        EdgeConfig.Rewards r = config.rewards();
        if (r.min() > r.max()) {
            throw new IllegalArgumentException("tendon.edge.rewards.min = " + r.min() + " is above tendon.edge.rewards.max = "
                    + r.max());
        }
        rewards = new RewardInbox(r.maxStepsAhead(), r.min(), r.max());
        for (RewardInbox.Result result : RewardInbox.Result.values()) {
            FunctionCounter.builder("tendon.edge.rewards", rewards, x -> x.count(result))
                    .description("Rewards offered over Episodes/Reward, by outcome")
                    .tag("result", result.name().toLowerCase(java.util.Locale.ROOT)).register(registry);
        }
        assembler = new TransitionAssembler(config.robotId(), runId, layout.version(),
                layout.latentDim(), layout.horizon(), stride, this::latestProposal, rewards,
                () -> System.currentTimeMillis() * 1_000_000L, publisher::offer, new Markers());
        FunctionCounter.builder("tendon.edge.transitions.recorded", assembler, TransitionAssembler::emitted)
                .description("Transitions assembled from policy steps").register(registry);
        FunctionCounter.builder("tendon.edge.transitions.unrecordable", assembler, TransitionAssembler::unrecordable)
                .description("Windows not recorded: not a demonstration and no policy proposal").register(registry);
        FunctionCounter.builder("tendon.edge.transitions.gaps", assembler, TransitionAssembler::gaps)
                .description("Windows dropped because policy steps were lost before recording").register(registry);
        FunctionCounter.builder("tendon.edge.steps.without.features", assembler,
                TransitionAssembler::stepsWithoutFeatures)
                .description("Policy steps not recorded: the robot had not sent observation features").register(registry);
    }

    @Override
    public void onPolicyStep(PolicyStep step) {
        if (step.evaluation) {
            return; // evaluation episodes are measured, not learned from: nothing of them is published
        }
        assembler.onStep(step);
    }

    /** The running episode's id ("" before the first step). Any thread. */
    public String episodeId() {
        return assembler.episodeId();
    }

    /** Where people's rewards wait for their step's transition. */
    public RewardInbox rewards() {
        return rewards;
    }

    private ChunkRecord proposal;

    private long latestProposal(float[] rows, int horizon) {
        Optional<LatestValue<ChunkRecord>> buffer = policy.proposals();
        if (buffer.isEmpty()) {
            return -1;
        }
        ChunkRecord fresh = buffer.get().take();
        if (fresh != null) {
            if (proposal == null) {
                proposal = new ChunkRecord(fresh.latent.length, fresh.actions.length / fresh.actionDim, fresh.actionDim);
            }
            proposal.copyFrom(fresh);
        }
        if (proposal == null || proposal.rows == 0) {
            return -1;
        }
        // Layout 1 rows are 13 wide: copy the common columns, repeat the last row past the proposal's end.
        int width = ActionRows.WIDTH;
        for (int h = 0; h < horizon; h++) {
            int r = Math.min(h, proposal.rows - 1);
            for (int c = 0; c < width; c++) {
                rows[h * width + c] = c < proposal.actionDim ? proposal.actions[r * proposal.actionDim + c] : 0f;
            }
        }
        return proposal.policyVersion;
    }

    /** Episode markers to Kafka; a failed send is logged, it does not stop recording. */
    private final class Markers implements TransitionAssembler.EpisodeListener {
        @Override
        public void started(String episodeId, long seed) {
            send(EpisodeEvent.Kind.START, episodeId, 0, config.bridge().equals("sim") ? "simulator seed " + seed : "");
        }

        @Override
        public void ended(String episodeId, int lastStep, int outcome) {
            EpisodeEvent.Kind kind = outcome == EpisodeOutcome.SUCCESS ? EpisodeEvent.Kind.SUCCESS
                    : outcome == EpisodeOutcome.FAILURE ? EpisodeEvent.Kind.FAILURE : EpisodeEvent.Kind.TIMEOUT;
            send(kind, episodeId, lastStep, EpisodeOutcome.name(outcome));
        }

        private void send(EpisodeEvent.Kind kind, String episodeId, long step, String reason) {
            EpisodeEvent event = EpisodeEvent.newBuilder().setRobotId(config.robotId()).setEpisodeId(episodeId)
                    .setKind(kind).setStep(step).setReason(reason)
                    .setTimeUnixNanos(System.currentTimeMillis() * 1_000_000L).build();
            events.send(event).exceptionally(error -> {
                LOG.warnf("episode marker %s %s not delivered: %s", kind, episodeId, error.toString());
                return null;
            });
        }
    }
}
