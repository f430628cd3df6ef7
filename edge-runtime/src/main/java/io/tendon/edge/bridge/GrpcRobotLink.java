package io.tendon.edge.bridge;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The robot link over gRPC, robot-clocked, as the {@link RobotIo} of a
 * {@link io.tendon.edge.step.RobotLoop}: a robot-side driver streams RobotState and gets one
 * RobotCommand per state it sent (RobotBridge.Connect). The transport thread only screens
 * ({@link StateScreen}) and copies each state into a hand-off slot and wakes the control thread,
 * which runs the tick; the command goes back through a second hand-off to a sender thread that
 * builds the message and writes it to the stream. The transport thread wakes the sender as well,
 * so the sender is awake while the tick runs and waits for the command spinning (at most
 * {@link #ANSWER_SPIN_NANOS}): the answer does not pay a second thread wake-up after the control
 * thread's, which on a loaded machine is much of a round trip's tail.
 *
 * <p>Every accepted state is answered. When the driver sends faster than the control thread takes
 * states, a state replaced in the hand-off before its tick ran (superseded) is answered with the
 * newest command, marked {@code superseded}; likewise a state whose own command the sender did not
 * get to before the next one. Commands wait for a transport that is not ready (a driver that reads
 * slowly); only a state the answer queue cannot hold (1024 states not yet answered), or one still
 * waiting {@link #HALF_CLOSE_DRAIN_NANOS} after the driver's half-close, goes unanswered, counted as
 * {@code unanswered}. Out-of-order, stale and malformed states are dropped and counted, unanswered.
 *
 * <p>One driver at a time. A session ends, and the next driver may connect at once, when the driver
 * half-closes its stream (once the states it sent are answered, at most
 * {@link #HALF_CLOSE_DRAIN_NANOS} later), cancels it, its connection drops or its process dies (the transport
 * reports the call cancelled), when it sends no state for the lease ({@link #expireIdle}), when an
 * operator pre-empts it ({@link #preempt}), or when the edge stops; each is counted by reason and
 * logged, and the watchdog holds until a driver streams again.
 *
 * <p>Episodes on a real robot are what operators mark ({@link #mark}): a SUCCESS or FAILURE mark
 * ends the running episode in a terminal state (with the configured terminal reward), TIMEOUT or
 * ABORT cut it off, START cuts off a running episode that has steps so that a new one begins.
 * The driver's observation features (exactly {@code featureDim} values, sent at the policy rate)
 * are both what the policy sees and the transitions' latent.
 */
public final class GrpcRobotLink implements RobotIo {

    private static final Logger LOG = Logger.getLogger(GrpcRobotLink.class);
    /**
     * How long the sender spins for the command of a state the control thread is ticking on before
     * it parks: a tick takes tens of microseconds, so this bounds the spin to a fifth of a 1 kHz
     * period (at most 20 % of a core while a driver streams, a few per cent in practice).
     */
    static final long ANSWER_SPIN_NANOS = 200_000;
    /**
     * After a driver's half-close, how long its last states may wait for their commands before the
     * stream ends anyway: fifty 1 kHz ticks (the answer queue holds at most 1024 states, and a
     * command answers every older waiting state with it, marked superseded).
     */
    static final long HALF_CLOSE_DRAIN_NANOS = 50_000_000;

    /** Why a session ended (the tag of tendon.edge.bridge.sessions.ended). */
    public enum End {
        COMPLETED("completed"), CANCELLED("cancelled"), FAILED("failed"), LEASE_EXPIRED("lease_expired"),
        PREEMPTED("preempted"), SHUTDOWN("shutdown");

        public final String tag;

        End(String tag) {
            this.tag = tag;
        }
    }

    private final ControlCounters counters;
    private final LatestValue<RobotSample> states;
    private final LatestValue<Command> commands = new LatestValue<>(Command::new);
    private final long staleAfterNanos;
    private final long clockWindowNanos;
    private final int featureDim;
    private final double successReward;
    private final double failureReward;
    private final LongSupplier clock;
    private final Thread sender;
    private final AtomicReference<Session> session = new AtomicReference<>();
    private final AtomicLong linkSequence = new AtomicLong();
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
    /** Accepted states replaced in the hand-off by a newer one before the control thread took them (answered with the newer one's command). */
    public final AtomicLong statesSuperseded = new AtomicLong();
    /** States dropped: observation features of another length than the layout's. */
    public final AtomicLong statesBadFeatures = new AtomicLong();
    /** Accepted states that got no command: the answer queue was full or the driver did not read. */
    public final AtomicLong statesUnanswered = new AtomicLong();
    /** Commands written to the stream for the state they were computed on. */
    public final AtomicLong commandsSent = new AtomicLong();
    /** Commands written for a superseded state (the newest command, marked superseded). */
    public final AtomicLong commandsSuperseded = new AtomicLong();
    /** Driver connections accepted. */
    public final AtomicLong connections = new AtomicLong();
    /** Connections refused because a driver was already connected. */
    public final AtomicLong connectionsRefused = new AtomicLong();
    private final AtomicLong[] ended = new AtomicLong[End.values().length];

    /**
     * @param featureDim       observation features a driver must send (the transition layout's latent-dim; 0: none)
     * @param successReward    reward of the step an operator marks SUCCESS in
     * @param failureReward    reward of the step an operator marks FAILURE in
     * @param clockWindowNanos window of the driver clock offset estimate ({@link DriverClock})
     * @param clock            the edge's clock of arrivals and leases (System::nanoTime)
     */
    public GrpcRobotLink(ControlSettings settings, ControlCounters counters, int featureDim, double successReward,
            double failureReward, long clockWindowNanos, LongSupplier clock) {
        this.counters = counters;
        this.staleAfterNanos = settings.stateTimeoutNanos;
        this.clockWindowNanos = clockWindowNanos;
        this.featureDim = featureDim;
        this.successReward = successReward;
        this.failureReward = failureReward;
        this.clock = clock;
        this.states = new LatestValue<>(() -> new RobotSample(featureDim));
        this.features = new float[featureDim];
        this.command = commands.beginWrite();
        for (int i = 0; i < ended.length; i++) {
            ended[i] = new AtomicLong();
        }
        this.sender = new Thread(this::sendCommands, "tendon-bridge-sender");
        this.sender.setDaemon(true);
        this.sender.setPriority(Thread.MAX_PRIORITY - 1);
        this.commands.bindReader(sender);
        this.sender.start();
    }

    /** True while a driver is connected. Any thread. */
    public boolean robotConnected() {
        return session.get() != null;
    }

    /** Sessions ended for {@code why}. */
    public long sessionsEnded(End why) {
        return ended[why.ordinal()].get();
    }

    /** The connected driver: its credential's name, since when, and how long ago it sent its last state; or null. */
    public record SessionView(String principal, long ageNanos, long idleNanos) {
    }

    public SessionView sessionView() {
        Session s = session.get();
        if (s == null) {
            return null;
        }
        long now = clock.getAsLong();
        return new SessionView(s.principal, now - s.startNanos, now - s.lastActivityNanos);
    }

    /** The control thread to wake when a state arrives (the robot-clocked pacer binds itself). */
    public void bindStateReader(Thread thread) {
        states.bindReader(thread);
    }

    /** Any thread: ends the sender thread and the driver's stream. */
    public void stop() {
        running = false;
        LockSupport.unpark(sender);
        Session s = session.get();
        if (s != null) {
            s.end(End.SHUTDOWN, Status.UNAVAILABLE.withDescription("edge shutting down"));
        }
    }

    /**
     * Ends the driver session if it sent no state for {@code leaseNanos} (ABORTED, "lease
     * expired"), so that another driver can connect. Any thread (the session supervisor's).
     */
    public boolean expireIdle(long leaseNanos) {
        Session s = session.get();
        if (s == null) {
            return false;
        }
        long idle = clock.getAsLong() - s.lastActivityNanos;
        if (idle <= leaseNanos) {
            return false;
        }
        return s.end(End.LEASE_EXPIRED, Status.ABORTED.withDescription(
                "lease expired: no state for " + idle / 1_000_000 + " ms (lease " + leaseNanos / 1_000_000 + " ms)"));
    }

    /** An operator ends the driver session (ABORTED, "pre-empted by ..."); false when none is connected. Any thread. */
    public boolean preempt(String by, String reason) {
        Session s = session.get();
        return s != null && s.end(End.PREEMPTED, Status.ABORTED.withDescription("pre-empted by operator " + by
                + (reason == null || reason.isBlank() ? "" : ": " + reason)));
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

    /**
     * RobotBridge.Connect (on the transport thread): the request observer for a driver's state
     * stream whose commands go to {@code out}; refuses with FAILED_PRECONDITION while another driver
     * is connected.
     *
     * @param principal who connects (logged, shown in the status)
     */
    public StreamObserver<RobotState> connect(ServerCallStreamObserver<RobotCommand> out, String principal) {
        Session s = new Session(out, principal);
        Session existing = session.get();
        if (existing != null || !session.compareAndSet(null, s)) {
            connectionsRefused.incrementAndGet();
            Session other = existing != null ? existing : session.get();
            long idleMs = other == null ? 0 : (clock.getAsLong() - other.lastActivityNanos) / 1_000_000;
            out.onError(Status.FAILED_PRECONDITION.withDescription("another robot driver is connected ("
                    + (other == null ? "?" : other.principal) + ", last state " + idleMs
                    + " ms ago); one at a time. Its session ends when its stream ends, after its lease, or when an"
                    + " operator pre-empts it (Sessions/Preempt)").asRuntimeException());
            return NO_STATES;
        }
        out.setOnCancelHandler(() -> s.end(End.CANCELLED, null));
        out.setOnReadyHandler(() -> LockSupport.unpark(sender));
        connections.incrementAndGet();
        LOG.infof("robot driver connected (%s)", principal);
        return s;
    }

    private static final StreamObserver<RobotState> NO_STATES = new StreamObserver<>() {
        @Override
        public void onNext(RobotState value) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    };

    /** One driver connection; its state screening runs on the transport thread. */
    private final class Session implements StreamObserver<RobotState> {
        final ServerCallStreamObserver<RobotCommand> out;
        final String principal;
        final StateScreen screen = new StateScreen(staleAfterNanos, clockWindowNanos, featureDim);
        final AnswerRing answers = new AnswerRing(1024);
        final long startNanos;
        volatile long lastActivityNanos;
        volatile boolean open = true;
        /** The driver half-closed: the session ends once its states are answered. */
        volatile boolean halfClosed;
        volatile long drainUntilNanos;
        boolean warnedFeatures;
        /** Serialises writes to {@link #out}: the sender's commands against the closing call. */
        final Object writeLock = new Object();

        Session(ServerCallStreamObserver<RobotCommand> out, String principal) {
            this.out = out;
            this.principal = principal;
            this.startNanos = clock.getAsLong();
            this.lastActivityNanos = startNanos;
        }

        @Override
        public void onNext(RobotState state) {
            if (!open) {
                return;
            }
            long now = clock.getAsLong();
            lastActivityNanos = now;
            int f = state.getObservationFeaturesCount();
            switch (screen.screen(state.getSequence(), state.getMonotonicNanos(), f, now)) {
                case StateScreen.OUT_OF_ORDER -> {
                    statesOutOfOrder.incrementAndGet();
                    return;
                }
                case StateScreen.STALE -> {
                    statesStale.incrementAndGet();
                    return;
                }
                case StateScreen.BAD_FEATURES -> {
                    statesBadFeatures.incrementAndGet();
                    if (!warnedFeatures) {
                        warnedFeatures = true;
                        LOG.warnf("robot driver sends %d observation features, the transition layout takes %d"
                                + " (tendon.layout.latent-dim): such states are dropped", f, featureDim);
                    }
                    return;
                }
                default -> {
                }
            }
            long seq = linkSequence.incrementAndGet();
            if (!answers.add(seq, state.getSequence())) {
                statesUnanswered.incrementAndGet();
            }
            RobotSample slot = states.beginWrite();
            ProtoConversions.toSample(state, now, slot);
            slot.sequence = seq;
            if (states.publish()) {
                statesSuperseded.incrementAndGet();
            }
            statesAccepted.incrementAndGet();
            LockSupport.unpark(sender);
        }

        @Override
        public void onError(Throwable error) {
            end(End.FAILED, null);
        }

        /**
         * The driver's half-close: it sends no more states, and the states it sent last may still be
         * waiting for their tick. The sender answers them and then ends the session (at most
         * {@link #HALF_CLOSE_DRAIN_NANOS} later), so a driver gets one command per state up to its
         * last one.
         */
        @Override
        public void onCompleted() {
            drainUntilNanos = System.nanoTime() + HALF_CLOSE_DRAIN_NANOS;
            halfClosed = true;
            LockSupport.unpark(sender);
        }

        /**
         * Ends the session once (any thread): frees the link for the next driver, tells the control
         * loop, and closes the call: OK after the driver's half-close, {@code status} when the edge
         * ends it, nothing when the call is already gone. Returns false when it had ended already.
         */
        boolean end(End why, Status status) {
            if (!open) {
                return false;
            }
            synchronized (writeLock) {
                if (!open) {
                    return false;
                }
                open = false;
                try {
                    if (why == End.COMPLETED) {
                        out.onCompleted();
                    } else if (status != null) {
                        out.onError(status.asRuntimeException());
                    }
                } catch (RuntimeException e) {
                    // The call is gone already (cancelled under us): nothing to close.
                }
            }
            session.compareAndSet(this, null);
            ended[why.ordinal()].incrementAndGet();
            LongConsumer listener = onLost;
            if (listener != null) {
                listener.accept(System.nanoTime());
            }
            LOG.infof("robot driver disconnected (%s: %s%s); watchdog holds until a driver streams again", principal,
                    why.tag, status != null && status.getDescription() != null ? ", " + status.getDescription() : "");
            return true;
        }

        /**
         * Sender thread: answers every waiting state up to {@code c}'s with {@code c}, as far as the
         * transport takes them; the rest wait in the queue until it is ready again (it wakes the
         * sender), so a driver that reads slowly is answered late, not never, up to the queue's size.
         */
        void answer(Command c) {
            RobotCommand own = null;
            synchronized (writeLock) {
                if (!open) {
                    return;
                }
                long link;
                while ((link = answers.peekLink()) >= 0 && link <= c.stateSequence && out.isReady()) {
                    long driverSequence = answers.peekDriver();
                    answers.pop();
                    if (link == c.stateSequence) {
                        out.onNext(ProtoConversions.toProto(c, driverSequence));
                        commandsSent.incrementAndGet();
                    } else {
                        if (own == null) {
                            own = ProtoConversions.toProto(c, driverSequence);
                        }
                        out.onNext(own.toBuilder().setStateSequence(driverSequence).setSuperseded(true).build());
                        commandsSuperseded.incrementAndGet();
                    }
                }
            }
        }
    }

    /**
     * Sender thread: the newest command from the control thread to the stream. It keeps the last
     * command it took (the hand-off's slot stays its own until the next take) to answer states that
     * waited for the transport.
     */
    private void sendCommands() {
        Command current = null;
        while (running) {
            Command c = commands.take();
            if (c != null) {
                current = c;
            }
            Session s = session.get();
            if (s != null && current != null && current.valid) {
                try {
                    s.answer(current);
                } catch (RuntimeException e) {
                    LOG.debugf("command not written: %s", e);
                }
            }
            if (s != null && s.halfClosed && (s.answers.peekLink() < 0 || System.nanoTime() - s.drainUntilNanos > 0)) {
                // Every state answered (or the drain's time is up: what is left is counted unanswered).
                statesUnanswered.addAndGet(s.answers.size());
                s.end(End.COMPLETED, null);
                continue;
            }
            if (!commands.hasFresh() && !(s != null && s.answers.peekLink() >= 0 && spinForCommand())) {
                LockSupport.parkNanos(s != null && s.halfClosed ? 1_000_000 : 5_000_000);
            }
        }
    }

    /** Sender thread: true when a fresh command came within {@link #ANSWER_SPIN_NANOS}. */
    private boolean spinForCommand() {
        long until = System.nanoTime() + ANSWER_SPIN_NANOS;
        while (System.nanoTime() < until) {
            if (commands.hasFresh()) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    /**
     * Told (on a gRPC thread) when the driver is lost: the control loop's watchdog then holds
     * until fresh states come ({@link io.tendon.edge.control.ControlLoop#connectionLost}).
     */
    public void onConnectionLost(LongConsumer listener) {
        onLost = listener;
    }
}
