package io.tendon.edge.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tendon.edge.bridge.Bridge;
import io.tendon.edge.bridge.GrpcRobotLink;
import io.tendon.edge.bridge.SimBridge;
import io.tendon.edge.bridge.TeleopSession;
import io.tendon.edge.config.EdgeConfig;
import io.tendon.edge.control.ControlMetrics;
import io.tendon.edge.control.ControlParameters;
import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.InvalidConfigurationException;
import io.tendon.edge.control.Parameter;
import io.tendon.edge.control.TargetBuffer;
import io.tendon.edge.control.TargetSourceSwitch;
import io.tendon.edge.sim.EpisodeOutcome;
import io.tendon.edge.sim.ExpertRole;
import io.tendon.edge.sim.PolicyStep;
import io.tendon.edge.sim.PolicyStepListener;
import io.tendon.edge.sim.PolicyStepRing;
import io.tendon.edge.sim.SimParameters;
import io.tendon.edge.sim.SimSettings;
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
 * key stops the service with a message naming it), chooses the bridge and the pacing from
 * tendon.edge.bridge / tendon.edge.clock, and runs the loop on a dedicated platform thread.
 *
 * <p>With the sim bridge the scripted expert demonstrates peg-in-hole (tendon.edge.sim-expert);
 * the policy runtime installs its TargetSource with {@link #policyTargets()}. Every policy step goes
 * through a lock-free ring to a dispatcher thread, which hands it to each CDI bean
 * implementing {@link PolicyStepListener} (off the control thread, so listeners may block
 * briefly, allocate and publish).
 */
@ApplicationScoped
public class ControlService {

    private static final Logger LOG = Logger.getLogger(ControlService.class);
    private static final String[] OWN_PREFIXES = {"tendon.control.", "tendon.admittance.", "tendon.safety.",
            "tendon.sim."};

    @Inject
    EdgeConfig edge;

    @Inject
    Config config;

    @Inject
    MeterRegistry registry;

    @Inject
    Instance<PolicyStepListener> stepListeners;

    private ControlSettings settings;
    private SimSettings simSettings;
    private String clock;
    private final ControlMetrics metrics = new ControlMetrics();
    private final TargetBuffer teleop = new TargetBuffer();
    private final TargetSourceSwitch policy = new TargetSourceSwitch();
    private final PolicyStepRing steps = new PolicyStepRing(1024);
    private final AtomicLong teleopAccepted = new AtomicLong();
    private final AtomicLong teleopDropped = new AtomicLong();
    private Bridge bridge;
    private Thread controlThread;
    private Thread dispatcher;
    private volatile boolean running;
    private volatile double rateHz;

    void onStart(@Observes StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
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
            bridge = new GrpcRobotLink(settings, policy, teleop, metrics);
        } else {
            bridge = new SimBridge(settings, simSettings, clock.equals("simulated"), policy, teleop,
                    ExpertRole.valueOf(edge.simExpert().toUpperCase(java.util.Locale.ROOT)), metrics, steps);
        }
        ControlMeters.register(registry, this);
        running = true;
        controlThread = new Thread(bridge.controlLoop(), "tendon-control");
        controlThread.setDaemon(true);
        controlThread.setPriority(Thread.MAX_PRIORITY);
        controlThread.start();
        dispatcher = new Thread(this::dispatch, "tendon-control-status");
        dispatcher.setDaemon(true);
        dispatcher.start();
        LOG.infof("control loop started: bridge %s, clock %s, %d Hz", bridge.name(), clock, settings.rateHz);
    }

    synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        bridge.stop();
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
                    problems.add(name + " is not a known parameter (see ControlParameters / SimParameters)");
                }
            }
        }
        return problems;
    }

    private static boolean declared(String key) {
        for (Parameter p : ControlParameters.ALL) {
            if (p.key().equals(key)) {
                return true;
            }
        }
        for (Parameter p : SimParameters.ALL) {
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
        PolicyStep step = new PolicyStep();
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
                    LOG.infof("episode %d (seed %d) ended: %s after %.1f s, %d steps", step.episodeIndex, step.seed,
                            EpisodeOutcome.name(step.outcome), step.nextObservation.time, step.step + 1);
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

    /** The policy side: install the policy runtime's TargetSource here. */
    public TargetSourceSwitch policyTargets() {
        return policy;
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
        return bridge instanceof GrpcRobotLink ? (GrpcRobotLink) bridge : null;
    }

    /** The simulator bridge, or null with a real robot. */
    public SimBridge simBridge() {
        return bridge instanceof SimBridge ? (SimBridge) bridge : null;
    }

    public String bridgeName() {
        return edge.bridge();
    }

    public String clock() {
        return clock;
    }

    public boolean robotConnected() {
        return bridge != null && bridge.robotConnected();
    }

    public String episodeId() {
        return bridge == null ? "" : bridge.episodeId();
    }

    public ControlMetrics metrics() {
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
