package io.tendon.edge.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tendon.edge.bridge.GrpcRobotLink;
import io.tendon.edge.bridge.TeleopSession;
import io.tendon.edge.config.EdgeConfig;
import io.tendon.schemas.layout.LayoutConfig;
import io.tendon.edge.control.ControlCounters;
import io.tendon.edge.control.ControlParameterTable;
import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.ControlTask;
import io.tendon.edge.control.InvalidConfigurationException;
import io.tendon.edge.control.ParameterSpec;
import io.tendon.edge.control.SimulatedClockPacer;
import io.tendon.edge.control.TargetBuffer;
import io.tendon.edge.control.TargetSource;
import io.tendon.edge.control.TargetSourceSwitch;
import io.tendon.edge.control.WallClockPacer;
import io.tendon.edge.sim.ExpertRole;
import io.tendon.edge.sim.SimFeatures;
import io.tendon.edge.sim.SimParameterTable;
import io.tendon.edge.sim.SimRobot;
import io.tendon.edge.sim.SimSettings;
import io.tendon.edge.step.EpisodeOutcome;
import io.tendon.edge.step.PolicyStep;
import io.tendon.edge.step.PolicyStepListener;
import io.tendon.edge.step.PolicyStepRing;
import io.tendon.edge.step.RobotClockedPacer;
import io.tendon.edge.step.RobotIo;
import io.tendon.edge.step.RobotLoop;
import io.tendon.edge.step.StepStartListener;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Builds and runs the control loop of this edge: validates every tendon.control.*,
 * tendon.admittance.*, tendon.safety.* and tendon.sim.* key at start-up (an invalid or unknown
 * key stops the service with a message naming it), chooses the robot (the simulator or the gRPC
 * robot link, tendon.edge.bridge) and the pacing (tendon.edge.clock), and runs one
 * {@link RobotLoop} against it on a dedicated platform thread.
 *
 * <p>With the simulator the scripted expert demonstrates peg-in-hole (tendon.edge.sim-expert).
 * The policy runtime installs its TargetSource with {@link #policyTargets()} and its observation
 * feed with {@link #feedPolicy}. Every policy step, with either robot, goes through a lock-free
 * ring to a dispatcher thread, which hands it to each CDI bean implementing
 * {@link PolicyStepListener} (off the control thread, so listeners may block briefly, allocate
 * and publish).
 */
@ApplicationScoped
public class ControlService {

    private static final Logger LOG = Logger.getLogger(ControlService.class);
    private static final String[] OWN_PREFIXES = {"tendon.control.", "tendon.admittance.", "tendon.safety.",
            "tendon.sim."};

    @Inject
    EdgeConfig edge;

    @Inject
    LayoutConfig layout;

    @Inject
    Config config;

    @Inject
    MeterRegistry registry;

    @Inject
    Instance<PolicyStepListener> stepListeners;

    private ControlSettings settings;
    private SimSettings simSettings;
    private String clock;
    private final ControlCounters metrics = new ControlCounters();
    private final TargetBuffer teleop = new TargetBuffer();
    private final TargetSourceSwitch policy = new TargetSourceSwitch();
    private final AtomicLong teleopAccepted = new AtomicLong();
    private final AtomicLong teleopDropped = new AtomicLong();
    private PolicyStepRing steps;
    private RobotIo robot;
    private GrpcRobotLink link;
    private SimRobot simRobot;
    private RobotLoop robotLoop;
    private Runnable pacer;
    private Runnable stopPacer;
    private Thread controlThread;
    private Thread dispatcher;
    private volatile boolean running;
    private volatile double rateHz;

    void onStart(@Observes StartupEvent event) {
        start();
    }

    /** First at shutdown: nothing may step the policy (lockstep) while the policy service closes its runtimes. */
    void onStop(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        stop();
    }

    synchronized void start() {
        if (running) {
            return;
        }
        Function<String, Optional<String>> lookup = key -> config.getOptionalValue(key, String.class);
        settings = ControlSettings.load(lookup);
        simSettings = SimSettings.load(lookup);
        rejectUnknownKeys();
        clock = resolveClock(edge.bridge(), edge.clock());

        if (edge.bridge().equals("grpc")) {
            link = new GrpcRobotLink(settings, metrics, layout.latentDim(), edge.robot().successReward(),
                    edge.robot().failureReward(),
                    java.util.concurrent.TimeUnit.SECONDS.toNanos(edge.bridgeServer().clockWindowSeconds()),
                    System::nanoTime);
            robot = link;
            robotLoop = new RobotLoop(settings, policy, teleop, metrics, link, edge.robot().stepRateHz());
            link.onConnectionLost(robotLoop.loop()::connectionLost);
            RobotClockedPacer p = new RobotClockedPacer(robotLoop, link::bindStateReader, settings.stateTimeoutNanos);
            pacer = p;
            stopPacer = () -> {
                p.stop();
                link.stop();
            };
        } else {
            if (layout.latentDim() != SimFeatures.LATENT_DIM) {
                throw new InvalidConfigurationException(List.of("tendon.layout.latent-dim = "
                        + layout.latentDim() + ", but the simulator's encoder gives " + SimFeatures.LATENT_DIM));
            }
            ExpertRole role = ExpertRole.valueOf(edge.simExpert().toUpperCase(java.util.Locale.ROOT));
            simRobot = new SimRobot(simSettings, settings.dt, role, teleop, null, simSettings.seed);
            robot = simRobot;
            // The scripted expert demonstrates in DEMO episodes, the learned policy (policyTakesOver)
            // acts in the others (see SimRobot's episode plan).
            robotLoop = new RobotLoop(settings, simRobot.policySide(policy), teleop, metrics, simRobot,
                    simSettings.stepRateHz);
            simPacer(clock.equals("simulated"));
        }
        steps = new PolicyStepRing(1024, robot.featureDim(), robot.latentDim());
        robotLoop.onStepEnd(steps);
        ControlMeterBinding.register(registry, this);
        running = true;
        controlThread = new Thread(pacer, "tendon-control");
        controlThread.setDaemon(true);
        controlThread.setPriority(Thread.MAX_PRIORITY);
        controlThread.start();
        dispatcher = new Thread(this::dispatch, "tendon-control-status");
        dispatcher.setDaemon(true);
        dispatcher.start();
        LOG.infof("control loop started: bridge %s, clock %s, %d Hz", edge.bridge(), clock, settings.rateHz);
    }

    /**
     * The simulator's pacing: the wall clock, or a simulated clock, which owes nothing to the
     * wall clock, so rather than let the step dispatcher fall behind and lose steps it waits
     * while the dispatcher catches up.
     */
    private void simPacer(boolean simulatedClock) {
        RobotLoop loop = robotLoop;
        SimRobot sim = simRobot;
        if (simulatedClock) {
            double speed = simSettings.speed;
            long[] anchor = {Long.MIN_VALUE, 0};
            ControlTask task = now -> {
                int highWater = steps.capacity() * 3 / 4;
                while (steps.size() > highWater && running) {
                    LockSupport.parkNanos(200_000);
                }
                // No episode can start (demonstrations done, no policy yet): the world waits.
                boolean waited = false;
                while (sim.idle() && running) {
                    LockSupport.parkNanos(5_000_000);
                    waited = true;
                }
                if (speed > 0) {
                    long wall = System.nanoTime();
                    if (waited || anchor[0] == Long.MIN_VALUE) {
                        anchor[0] = now;
                        anchor[1] = wall;
                    }
                    // At most `speed` simulated seconds per wall-clock second.
                    long ahead = (long) ((now - anchor[0]) / speed) - (wall - anchor[1]);
                    if (ahead > 1_000_000) {
                        LockSupport.parkNanos(ahead);
                    }
                }
                loop.tick(now);
            };
            SimulatedClockPacer p = new SimulatedClockPacer(settings.periodNanos, System.nanoTime(), task);
            pacer = p;
            stopPacer = p::stop;
        } else {
            ControlTask task = now -> {
                if (!sim.idle()) {
                    loop.tick(now);
                }
            };
            WallClockPacer p = new WallClockPacer(settings.periodNanos, settings.spinWindowNanos, task, metrics);
            pacer = p;
            stopPacer = p::stop;
        }
    }

    synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        stopPacer.run();
        LockSupport.unpark(controlThread);
        try {
            controlThread.join(2000);
            dispatcher.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Valid combinations: sim with wall or simulated, grpc with robot; auto picks the natural one. */
    static String resolveClock(String bridge, String clock) {
        String resolved = clock.equals("auto") ? (bridge.equals("grpc") ? "robot" : "wall") : clock;
        boolean ok = bridge.equals("grpc") ? resolved.equals("robot") : !resolved.equals("robot");
        if (!ok) {
            throw new InvalidConfigurationException(List.of("tendon.edge.clock = " + clock
                    + " does not fit tendon.edge.bridge = " + bridge + "; expected "
                    + (bridge.equals("grpc") ? "robot or auto (a driver's states pace the loop)"
                    : "wall, simulated or auto (the simulator has no robot clock)")));
        }
        return resolved;
    }

    /** A misspelt key would silently keep its default: refuse keys in our namespaces that no table declares. */
    private void rejectUnknownKeys() {
        List<String> problems = unknownKeys(config.getPropertyNames());
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
    }

    static List<String> unknownKeys(Iterable<String> names) {
        List<String> problems = new ArrayList<>();
        for (String name : names) {
            for (String prefix : OWN_PREFIXES) {
                if (name.startsWith(prefix) && !declared(name)) {
                    problems.add(name + " is not a known parameter (see ControlParameterTable / SimParameterTable)");
                }
            }
        }
        return problems;
    }

    private static boolean declared(String key) {
        for (ParameterSpec p : ControlParameterTable.ALL) {
            if (p.key().equals(key)) {
                return true;
            }
        }
        for (ParameterSpec p : SimParameterTable.ALL) {
            if (p.key().equals(key)) {
                return true;
            }
        }
        return false;
    }

    /** Off the control thread: policy steps to listeners, episode log lines, the achieved rate. */
    private void dispatch() {
        // Resolved once: iterating an Instance would create a new @Dependent listener each time.
        List<PolicyStepListener> listeners = stepListeners.stream().toList();
        PolicyStep step = new PolicyStep(robot.featureDim(), robot.latentDim());
        long lastTicks = metrics.ticks.get();
        long lastTime = System.nanoTime();
        while (running) {
            boolean any = false;
            while (steps.poll(step)) {
                any = true;
                for (PolicyStepListener l : listeners) {
                    try {
                        l.onPolicyStep(step);
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "policy step listener %s failed", l.getClass().getName());
                    }
                }
                if (step.outcome != EpisodeOutcome.RUNNING) {
                    LOG.infof("episode %d%s ended: %s after %.1f s, %d steps", step.episodeIndex,
                            simRobot != null ? " (seed " + step.seed + ")" : "", EpisodeOutcome.name(step.outcome),
                            step.nextObservation.time, step.step + 1);
                }
            }
            long now = System.nanoTime();
            if (now - lastTime >= 1_000_000_000L) {
                long ticks = metrics.ticks.get();
                rateHz = (ticks - lastTicks) * 1e9 / (now - lastTime);
                lastTicks = ticks;
                lastTime = now;
            }
            if (!any) {
                LockSupport.parkNanos(10_000_000);
            }
        }
    }

    // ---- what other components use -----------------------------------------------------------

    /** The policy side of the control loop (a TargetSource that can be replaced while the loop runs). */
    public TargetSourceSwitch policyTargets() {
        return policy;
    }

    /**
     * A learned policy drives the arm from the next tick on: {@code targets} become the loop's
     * policy side, and the simulator's scripted demonstrator, if it was acting, stops. Any thread.
     */
    public void policyTakesOver(TargetSource targets) {
        policy.use(targets);
        // SimRobot: DEMO episodes go on as configured (tendon.sim.demo-episodes), then the policy acts.
        if (simRobot != null) {
            simRobot.stopDemonstrating();
        }
    }

    /** A new teleop stream's writer of the human buffer (one stream at a time, see TeleopService). */
    public TeleopSession newTeleopSession() {
        return new TeleopSession(teleop, metrics, settings, this::clockNanos);
    }

    public void countTeleopSample(boolean accepted) {
        (accepted ? teleopAccepted : teleopDropped).incrementAndGet();
    }

    /** The loop's clock: System.nanoTime() or, on the simulated clock, the newest tick's time. */
    public long clockNanos() {
        return "simulated".equals(clock) ? metrics.lastTickNanos.get() : System.nanoTime();
    }

    /** The gRPC robot link, or null when the simulator is the robot. */
    public GrpcRobotLink robotLink() {
        return link;
    }

    /** The simulator, or null with a real robot. */
    public SimRobot simRobot() {
        return simRobot;
    }

    /** The loop that owns the control law and cuts policy steps, with either robot. */
    public RobotLoop robotLoop() {
        return robotLoop;
    }

    /** The robot's I/O: the simulator or the gRPC link. */
    public RobotIo robot() {
        return robot;
    }

    /**
     * Installs the policy's observation feed: from the next policy step on it sees every step's
     * observation s on the control thread (see {@link StepStartListener}). Any thread.
     */
    public void feedPolicy(StepStartListener feed) {
        robotLoop.onStepStart(feed);
    }

    public String bridgeName() {
        return edge.bridge();
    }

    public String clock() {
        return clock;
    }

    public boolean robotConnected() {
        return link != null ? link.robotConnected() : simRobot != null;
    }

    public ControlCounters metrics() {
        return metrics;
    }

    public ControlSettings settings() {
        return settings;
    }

    /** Ticks per second over the last full second. */
    public double rateHz() {
        return rateHz;
    }

    public PolicyStepRing policySteps() {
        return steps;
    }

    long teleopAccepted() {
        return teleopAccepted.get();
    }

    long teleopDropped() {
        return teleopDropped.get();
    }
}
