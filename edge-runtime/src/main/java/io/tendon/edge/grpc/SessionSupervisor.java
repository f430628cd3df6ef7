package io.tendon.edge.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tendon.edge.bridge.GrpcRobotLink;
import io.tendon.edge.bridge.TeleopSession;
import io.tendon.edge.config.EdgeConfig;
import io.tendon.edge.runtime.ControlService;
import io.tendon.schemas.v1.InterventionCommand;
import io.tendon.schemas.v1.InterventionSummary;
import io.tendon.schemas.v1.SessionInfo;
import io.tendon.schemas.v1.SessionKind;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * The sessions that move the arm: the one teleop stream and the one robot-driver stream. Holds the
 * teleop session, runs the lease clock of both on its own thread ({@code tendon-sessions}: a stream
 * that sent nothing for its lease is closed with ABORTED so another can take over), and lets an
 * operator pre-empt either. A teleop stream's samples are applied under a lock that only teleop
 * streams take, so a stream that has been ended can never write the human buffer after its
 * successor started.
 */
@ApplicationScoped
public class SessionSupervisor {

    private static final Logger LOG = Logger.getLogger(SessionSupervisor.class);

    @Inject
    ControlService control;

    @Inject
    EdgeConfig config;

    @Inject
    MeterRegistry registry;

    private final AtomicReference<TeleopStream> teleop = new AtomicReference<>();
    private final Object teleopWrite = new Object();
    private final AtomicLong teleopRefused = new AtomicLong();
    private final AtomicLong[] teleopEnded = new AtomicLong[GrpcRobotLink.End.values().length];

    {
        for (int i = 0; i < teleopEnded.length; i++) {
            teleopEnded[i] = new AtomicLong();
        }
    }
    private Thread thread;
    private volatile boolean running;

    void onStart(@Observes StartupEvent event) {
        for (int i = 0; i < teleopEnded.length; i++) {
            GrpcRobotLink.End why = GrpcRobotLink.End.values()[i];
            FunctionCounter.builder("tendon.edge.teleop.sessions.ended", teleopEnded[i], AtomicLong::get)
                    .description("Teleop streams ended, by reason").tag("reason", why.tag).register(registry);
        }
        FunctionCounter.builder("tendon.edge.teleop.sessions.refused", teleopRefused, AtomicLong::get)
                .description("Teleop streams refused because another was open").register(registry);
        running = true;
        long period = TimeUnit.MILLISECONDS.toNanos(Math.max(5, Math.min(100,
                Math.min(config.teleop().leaseMs(), config.bridgeServer().driverLeaseMs()) / 5)));
        thread = new Thread(() -> supervise(period), "tendon-sessions");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
        TeleopStream t = teleop.get();
        if (t != null) {
            t.end(GrpcRobotLink.End.SHUTDOWN, Status.UNAVAILABLE.withDescription("edge shutting down"));
        }
    }

    private void supervise(long periodNanos) {
        long driverLease = TimeUnit.MILLISECONDS.toNanos(config.bridgeServer().driverLeaseMs());
        long teleopLease = TimeUnit.MILLISECONDS.toNanos(config.teleop().leaseMs());
        while (running) {
            GrpcRobotLink link = control.robotLink();
            if (link != null) {
                link.expireIdle(driverLease);
            }
            TeleopStream t = teleop.get();
            if (t != null) {
                long idle = System.nanoTime() - t.lastActivityNanos;
                if (idle > teleopLease) {
                    t.end(GrpcRobotLink.End.LEASE_EXPIRED, Status.ABORTED.withDescription("lease expired: no sample for "
                            + idle / 1_000_000 + " ms (lease " + config.teleop().leaseMs() + " ms)"));
                }
            }
            LockSupport.parkNanos(periodNanos);
        }
    }

    /** Teleop/Intervene: a new stream, or FAILED_PRECONDITION while another one is open. */
    StreamObserver<InterventionCommand> openTeleop(ServerCallStreamObserver<InterventionSummary> out, String principal) {
        TeleopStream s = new TeleopStream(out, principal, control.newTeleopSession());
        TeleopStream existing = teleop.get();
        if (existing != null || !teleop.compareAndSet(null, s)) {
            teleopRefused.incrementAndGet();
            TeleopStream other = existing != null ? existing : teleop.get();
            out.onError(Status.FAILED_PRECONDITION.withDescription("another teleop stream is active ("
                    + (other == null ? "?" : other.principal) + "); one at a time. It ends with its stream, after its"
                    + " lease, or when an operator pre-empts it (Sessions/Preempt)").asRuntimeException());
            return new StreamObserver<>() {
                @Override
                public void onNext(InterventionCommand value) {
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            };
        }
        out.setOnCancelHandler(() -> s.end(GrpcRobotLink.End.CANCELLED, null));
        LOG.infof("teleop stream opened (%s)", principal);
        return s;
    }

    /** Ends the open teleop stream (ABORTED); false when none is open. */
    boolean preemptTeleop(String by, String reason) {
        TeleopStream t = teleop.get();
        return t != null && t.end(GrpcRobotLink.End.PREEMPTED, Status.ABORTED.withDescription("pre-empted by operator "
                + by + (reason == null || reason.isBlank() ? "" : ": " + reason)));
    }

    /** Ends the robot driver's session (ABORTED); false when none is connected. */
    boolean preemptDriver(String by, String reason) {
        GrpcRobotLink link = control.robotLink();
        return link != null && link.preempt(by, reason);
    }

    /** Teleop streams ended for {@code why}. */
    public long teleopEnded(GrpcRobotLink.End why) {
        return teleopEnded[why.ordinal()].get();
    }

    /** The sessions open now, for the status. */
    List<SessionInfo> sessions() {
        List<SessionInfo> list = new ArrayList<>();
        long now = System.nanoTime();
        TeleopStream t = teleop.get();
        if (t != null) {
            list.add(SessionInfo.newBuilder().setKind(SessionKind.TELEOP).setPrincipal(t.principal)
                    .setAgeMs((now - t.startNanos) / 1_000_000).setIdleMs((now - t.lastActivityNanos) / 1_000_000).build());
        }
        GrpcRobotLink link = control.robotLink();
        GrpcRobotLink.SessionView d = link == null ? null : link.sessionView();
        if (d != null) {
            list.add(SessionInfo.newBuilder().setKind(SessionKind.ROBOT_DRIVER).setPrincipal(d.principal())
                    .setAgeMs(d.ageNanos() / 1_000_000).setIdleMs(d.idleNanos() / 1_000_000).build());
        }
        return list;
    }

    /** One teleop stream. Samples are applied on the gRPC thread that delivers them. */
    private final class TeleopStream implements StreamObserver<InterventionCommand> {
        final ServerCallStreamObserver<InterventionSummary> out;
        final String principal;
        final TeleopSession session;
        final long startNanos = System.nanoTime();
        volatile long lastActivityNanos = startNanos;
        volatile boolean open = true;

        TeleopStream(ServerCallStreamObserver<InterventionSummary> out, String principal, TeleopSession session) {
            this.out = out;
            this.principal = principal;
            this.session = session;
        }

        @Override
        public void onNext(InterventionCommand command) {
            lastActivityNanos = System.nanoTime();
            synchronized (teleopWrite) {
                if (!open) {
                    return;
                }
                String refusal = session.accept(command);
                control.countTeleopSample(refusal == null);
                if (refusal != null) {
                    LOG.debugf("teleop sample refused: %s", refusal);
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            end(GrpcRobotLink.End.FAILED, null);
        }

        @Override
        public void onCompleted() {
            end(GrpcRobotLink.End.COMPLETED, null);
        }

        boolean end(GrpcRobotLink.End why, Status status) {
            InterventionSummary summary;
            synchronized (teleopWrite) {
                if (!open) {
                    return false;
                }
                open = false;
                summary = session.summary();
            }
            try {
                if (why == GrpcRobotLink.End.COMPLETED) {
                    out.onNext(summary);
                    out.onCompleted();
                } else if (status != null) {
                    out.onError(status.asRuntimeException());
                }
            } catch (RuntimeException e) {
                // The call is gone already.
            }
            teleop.compareAndSet(this, null);
            teleopEnded[why.ordinal()].incrementAndGet();
            LOG.infof("teleop stream ended (%s: %s%s); %d samples accepted, %d dropped", principal, why.tag,
                    status != null && status.getDescription() != null ? ", " + status.getDescription() : "",
                    summary.getSamplesAccepted(), summary.getSamplesDropped());
            return true;
        }
    }
}
