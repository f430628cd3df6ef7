package io.tendon.edge.bridge;

import io.grpc.Status;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.tendon.edge.control.Command;
import io.tendon.edge.control.ControlLoop;
import io.tendon.edge.control.ControlMetrics;
import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.Mailbox;
import io.tendon.edge.control.RobotClockedPacer;
import io.tendon.edge.control.RobotSample;
import io.tendon.edge.control.TargetBuffer;
import io.tendon.edge.control.TargetSource;
import io.tendon.schemas.v1.RobotCommand;
import io.tendon.schemas.v1.RobotState;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * The robot bridge over gRPC, robot-clocked: a robot-side driver streams RobotState and gets
 * one RobotCommand per state it sent (RobotBridge.Connect). The gRPC thread only screens and
 * copies each state into a mailbox slot and wakes the control thread, which runs the tick;
 * the command goes back through a second mailbox to a sender thread that builds the message
 * and writes it to the stream. States whose sequence is not above the last accepted one are
 * dropped as out of order; states that arrive later than the connection's best latency by
 * more than the watchdog's state timeout are dropped as stale; both counted. One driver at a
 * time; a lost connection makes the watchdog hold until a driver reconnects.
 */
public final class GrpcRobotLink implements Bridge {

    private static final Logger LOG = Logger.getLogger(GrpcRobotLink.class);

    private final ControlLoop loop;
    private final Mailbox<RobotSample> states =
            new Mailbox<>(new RobotSample(), new RobotSample(), new RobotSample());
    private final Mailbox<Command> commands = new Mailbox<>(new Command(), new Command(), new Command());
    private final RobotClockedPacer pacer;
    private final long staleAfterNanos;
    private final Thread sender;
    private final AtomicBoolean connected = new AtomicBoolean();
    private volatile Session session;
    private volatile boolean running = true;

    /** States accepted and handed to the control thread. */
    public final AtomicLong statesAccepted = new AtomicLong();
    /** States dropped: sequence not above the last accepted one, or the driver's clock went backwards. */
    public final AtomicLong statesOutOfOrder = new AtomicLong();
    /** States dropped: delivered too late to be worth a tick. */
    public final AtomicLong statesStale = new AtomicLong();
    /** States replaced in the mailbox by a newer one before the control thread took them. */
    public final AtomicLong statesSuperseded = new AtomicLong();
    /** Commands written to the stream. */
    public final AtomicLong commandsSent = new AtomicLong();
    /** Driver connections accepted. */
    public final AtomicLong connections = new AtomicLong();
    /** Connections refused because a driver was already connected. */
    public final AtomicLong connectionsRefused = new AtomicLong();

    public GrpcRobotLink(ControlSettings settings, TargetSource policy, TargetBuffer human, ControlMetrics metrics) {
        this.loop = new ControlLoop(settings, policy, human, metrics);
        this.pacer = new RobotClockedPacer(states, commands, loop, settings.stateTimeoutNanos);
        this.staleAfterNanos = settings.stateTimeoutNanos;
        this.sender = new Thread(this::sendCommands, "tendon-bridge-sender");
        this.sender.setDaemon(true);
        this.commands.bindReader(sender);
        this.sender.start();
    }

    @Override
    public String name() {
        return "grpc";
    }

    @Override
    public boolean robotConnected() {
        return connected.get();
    }

    @Override
    public Runnable controlLoop() {
        return pacer;
    }

    @Override
    public String episodeId() {
        return "";
    }

    @Override
    public void stop() {
        running = false;
        pacer.stop();
        LockSupport.unpark(sender);
        Session s = session;
        if (s != null) {
            s.emitter.fail(Status.UNAVAILABLE.withDescription("edge shutting down").asRuntimeException());
        }
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
                loop.connectionLost(System.nanoTime());
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

    public ControlLoop loop() {
        return loop;
    }
}
