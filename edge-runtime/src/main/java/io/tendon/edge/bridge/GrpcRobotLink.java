package io.tendon.edge.bridge;

import io.grpc.Status;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.tendon.edge.control.Command;
import io.tendon.edge.control.ControlCounters;
import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.LatestValue;
import io.tendon.edge.control.RobotSample;
import io.tendon.edge.step.EpisodeOutcome;
import io.tendon.edge.step.RobotIo;
import io.tendon.edge.step.StepObservation;
import io.tendon.schemas.v1.RobotCommand;
import io.tendon.schemas.v1.RobotState;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * The robot link over gRPC, robot-clocked, as the {@link RobotIo} of a
 * {@link io.tendon.edge.step.RobotLoop}: a robot-side driver streams RobotState and gets one
 * RobotCommand per state it sent (RobotBridge.Connect). The gRPC thread only screens and copies
 * each state into a hand-off slot and wakes the control thread, which runs the tick; the command
 * goes back through a second hand-off to a sender thread that builds the message and writes it
 * to the stream. States whose sequence is not above the last accepted one are dropped as out of
 * order; states that arrive later than the connection's best latency by more than the watchdog's
 * state timeout are dropped as stale; states whose observation features have the wrong length are
 * dropped as malformed; all counted. One driver at a time; a lost connection makes the watchdog
 * hold until a driver reconnects.
 *
 * <p>Episodes on a real robot are what operators mark ({@link #mark}): a SUCCESS or FAILURE mark
 * ends the running episode in a terminal state (with the configured terminal reward), TIMEOUT or
 * ABORT cut it off, START cuts off a running episode that has steps so that a new one begins.
 * The driver's observation features (exactly {@code featureDim} values, sent at the policy rate)
 * are both what the policy sees and the transitions' latent.
 */
public final class GrpcRobotLink implements RobotIo {

    private static final Logger LOG = Logger.getLogger(GrpcRobotLink.class);

    private final ControlCounters counters;
    private final LatestValue<RobotSample> states;
    private final LatestValue<Command> commands = new LatestValue<>(Command::new);
    private final long staleAfterNanos;
    private final int featureDim;
    private final double successReward;
    private final double failureReward;
    private final Thread sender;
    private final AtomicBoolean connected = new AtomicBoolean();
    private volatile Session session;
    private volatile boolean running = true;
    private volatile LongConsumer onLost;

    // Control thread only.
    private Command command;
    private final float[] features;
    private boolean featuresPresent;
    private long observedEpisode = -1;
    private long episodeStartNanos;
    private volatile boolean stepsInEpisode;
    private boolean episodeEnded;
    private final AtomicInteger pendingOutcome = new AtomicInteger(EpisodeOutcome.RUNNING);
    private volatile long episodeIndex;

    /** States accepted and handed to the control thread. */
    public final AtomicLong statesAccepted = new AtomicLong();
    /** States dropped: sequence not above the last accepted one, or the driver's clock went backwards. */
    public final AtomicLong statesOutOfOrder = new AtomicLong();
    /** States dropped: delivered too late to be worth a tick. */
    public final AtomicLong statesStale = new AtomicLong();
    /** States replaced in the hand-off by a newer one before the control thread took them. */
    public final AtomicLong statesSuperseded = new AtomicLong();
    /** States dropped: observation features of another length than the layout's. */
    public final AtomicLong statesBadFeatures = new AtomicLong();
    /** Commands written to the stream. */
    public final AtomicLong commandsSent = new AtomicLong();
    /** Driver connections accepted. */
    public final AtomicLong connections = new AtomicLong();
    /** Connections refused because a driver was already connected. */
    public final AtomicLong connectionsRefused = new AtomicLong();

    /**
     * @param featureDim    observation features a driver must send (the transition layout's latent-dim; 0: none)
     * @param successReward reward of the step an operator marks SUCCESS in
     * @param failureReward reward of the step an operator marks FAILURE in
     */
    public GrpcRobotLink(ControlSettings settings, ControlCounters counters, int featureDim, double successReward,
            double failureReward) {
        this.counters = counters;
        this.staleAfterNanos = settings.stateTimeoutNanos;
        this.featureDim = featureDim;
        this.successReward = successReward;
        this.failureReward = failureReward;
        this.states = new LatestValue<>(() -> new RobotSample(featureDim));
        this.features = new float[featureDim];
        this.command = commands.beginWrite();
        this.sender = new Thread(this::sendCommands, "tendon-bridge-sender");
        this.sender.setDaemon(true);
        this.commands.bindReader(sender);
        this.sender.start();
    }

    /** True while a driver is connected. Any thread. */
    public boolean robotConnected() {
        return connected.get();
    }

    /** The control thread to wake when a state arrives (the robot-clocked pacer binds itself). */
    public void bindStateReader(Thread thread) {
        states.bindReader(thread);
    }

    /** Any thread: ends the sender thread and the driver's stream. */
    public void stop() {
        running = false;
        LockSupport.unpark(sender);
        Session s = session;
        if (s != null) {
            s.emitter.fail(Status.UNAVAILABLE.withDescription("edge shutting down").asRuntimeException());
        }
    }

    /**
     * An operator's verdict on the running episode (any thread): {@link EpisodeOutcome#SUCCESS},
     * {@code FAILURE} or {@code TIMEOUT}, applied at the next control tick; a START mark passes
     * {@code TIMEOUT} too when it interrupts a running episode.
     */
    public void mark(int outcome) {
        pendingOutcome.set(outcome);
    }

    /** Whether the running episode has had a step yet (a START mark cuts off only those). Any thread. */
    public boolean episodeHasSteps() {
        return stepsInEpisode;
    }

    // ---- RobotIo, control thread ---------------------------------------------------------------

    @Override
    public RobotSample read(long nowNanos) {
        if (episodeEnded) {
            // The episode ended in the last tick's step; from this tick on a new one runs.
            episodeEnded = false;
            episodeIndex = episodeIndex + 1;
        }
        RobotSample s = states.take();
        if (s == null) {
            return null;
        }
        counters.recordJitter(nowNanos - s.receivedNanos);
        if (s.hasFeatures()) {
            System.arraycopy(s.features, 0, features, 0, featureDim);
            featuresPresent = true;
        }
        return s;
    }

    @Override
    public boolean restarted() {
        return false;
    }

    @Override
    public Command command() {
        return command;
    }

    @Override
    public void write(long nowNanos, Command c) {
        commands.publish();
        command = commands.beginWrite();
    }

    @Override
    public int outcome(long nowNanos) {
        if (pendingOutcome.get() == EpisodeOutcome.RUNNING) {
            return EpisodeOutcome.RUNNING;
        }
        int outcome = pendingOutcome.getAndSet(EpisodeOutcome.RUNNING);
        episodeEnded = true;
        stepsInEpisode = false;
        return outcome;
    }

    @Override
    public double reward(int outcome) {
        return outcome == EpisodeOutcome.SUCCESS ? successReward : outcome == EpisodeOutcome.FAILURE ? failureReward : 0;
    }

    @Override
    public void observe(long nowNanos, StepObservation o) {
        if (observedEpisode != episodeIndex) {
            observedEpisode = episodeIndex;
            episodeStartNanos = nowNanos;
        } else {
            stepsInEpisode = true;
        }
        System.arraycopy(features, 0, o.features, 0, featureDim);
        System.arraycopy(features, 0, o.latent, 0, featureDim);
        o.featuresPresent = featuresPresent;
        o.time = (nowNanos - episodeStartNanos) * 1e-9;
    }

    @Override
    public long episodeIndex() {
        return episodeIndex;
    }

    @Override
    public long episodeSeed() {
        return 0;
    }

    @Override
    public int featureDim() {
        return featureDim;
    }

    @Override
    public int latentDim() {
        return featureDim;
    }

    /** RobotBridge.Connect: the command stream for a driver's state stream. */
    public Multi<RobotCommand> connect(Multi<RobotState> requests) {
        if (!connected.compareAndSet(false, true)) {
            connectionsRefused.incrementAndGet();
            return Multi.createFrom().failure(Status.FAILED_PRECONDITION
                    .withDescription("another robot driver is connected; one at a time").asRuntimeException());
        }
        connections.incrementAndGet();
        return Multi.createFrom().<RobotCommand>emitter(emitter -> {
            Session s = new Session(emitter);
            session = s;
            Cancellable subscription = requests.subscribe().with(s::onState, s::onFailure, s::onCompletion);
            emitter.onTermination(() -> {
                subscription.cancel();
                s.lost("command stream terminated");
            });
        }, BackPressureStrategy.LATEST);
    }

    /** One driver connection; its state screening runs on the gRPC thread. */
    private final class Session {
        final MultiEmitter<? super RobotCommand> emitter;
        long lastSequence = -1;
        long lastMonotonic = Long.MIN_VALUE;
        long bestOffset = Long.MAX_VALUE;
        final AtomicBoolean open = new AtomicBoolean(true);
        boolean warnedFeatures;

        Session(MultiEmitter<? super RobotCommand> emitter) {
            this.emitter = emitter;
        }

        void onState(RobotState state) {
            long now = System.nanoTime();
            long seq = state.getSequence();
            long mono = state.getMonotonicNanos();
            if (lastSequence >= 0 && Long.compareUnsigned(seq, lastSequence) <= 0
                    || mono != 0 && lastMonotonic != Long.MIN_VALUE && mono <= lastMonotonic) {
                statesOutOfOrder.incrementAndGet();
                return;
            }
            if (mono != 0) {
                // Clock offset driver -> edge; its smallest value is the best latency seen so far.
                long offset = now - mono;
                if (offset < bestOffset) {
                    bestOffset = offset;
                }
                if (offset - bestOffset > staleAfterNanos) {
                    statesStale.incrementAndGet();
                    lastSequence = seq;
                    return;
                }
                lastMonotonic = mono;
            }
            int f = state.getObservationFeaturesCount();
            if (f != 0 && f != featureDim) {
                statesBadFeatures.incrementAndGet();
                if (!warnedFeatures) {
                    warnedFeatures = true;
                    LOG.warnf("robot driver sends %d observation features, the transition layout takes %d"
                            + " (tendon.layout.latent-dim): such states are dropped", f, featureDim);
                }
                return;
            }
            lastSequence = seq;
            RobotSample slot = states.beginWrite();
            ProtoConversions.toSample(state, now, slot);
            if (states.publish()) {
                statesSuperseded.incrementAndGet();
            }
            statesAccepted.incrementAndGet();
        }

        void onFailure(Throwable error) {
            lost("driver stream failed: " + error);
            emitter.complete();
        }

        void onCompletion() {
            lost("driver closed the stream");
            emitter.complete();
        }

        void lost(String why) {
            if (open.compareAndSet(true, false)) {
                LongConsumer listener = onLost;
                if (listener != null) {
                    listener.accept(System.nanoTime());
                }
                if (session == this) {
                    session = null;
                }
                connected.set(false);
                LOG.infof("robot driver disconnected (%s); watchdog holds until a driver reconnects", why);
            }
        }
    }

    /** Sender thread: newest command from the control thread to the stream. */
    private void sendCommands() {
        while (running) {
            Command c = commands.take();
            if (c == null) {
                LockSupport.parkNanos(5_000_000);
                continue;
            }
            Session s = session;
            if (s != null && c.valid && s.open.get()) {
                s.emitter.emit(ProtoConversions.toProto(c));
                commandsSent.incrementAndGet();
            }
        }
    }

    /**
     * Told (on a gRPC thread) when the driver is lost: the control loop's watchdog then holds
     * until fresh states come ({@link io.tendon.edge.control.ControlLoop#connectionLost}).
     */
    public void onConnectionLost(LongConsumer listener) {
        onLost = listener;
    }
}
