package io.tendon.edge.policy.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tendon.edge.control.TargetSource;
import io.tendon.edge.policy.ActivePolicy;
import io.tendon.edge.policy.ChunkExecutor;
import io.tendon.edge.policy.ChunkRecord;
import io.tendon.edge.policy.ObservationBuffer;
import io.tendon.edge.policy.OrtSettings;
import io.tendon.edge.policy.PolicyBundle;
import io.tendon.edge.policy.PolicyBundleException;
import io.tendon.edge.policy.PolicyGraphSource;
import io.tendon.edge.policy.PolicyLoop;
import io.tendon.edge.policy.PolicyRuntime;
import io.tendon.edge.control.LatestValue;
import io.tendon.schemas.bundle.TensorRoles;
import io.tendon.schemas.v1.GraphRole;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The policy on the edge: loads the configured bundle at start-up (a broken bundle stops the
 * service with an error naming the key and the problem), runs the policy loop on its own
 * platform thread, and hands the control loop a {@link TargetSource} and the robot side an
 * {@link ObservationBuffer}. The policy that runs is replaceable ({@link ActivePolicy}): policy
 * updates build new runtimes of the same bundle ({@link #build}) that take over between two
 * policy ticks. A bundle whose head arrives by update starts with no policy. Without a bundle the
 * service starts all the same: the target source then never has anything new, and the
 * observation buffer takes no features.
 */
@ApplicationScoped
public class PolicyService {

    private static final Logger LOG = Logger.getLogger(PolicyService.class);

    @Inject
    PolicyConfig config;

    @Inject
    MeterRegistry registry;

    // Set once at start-up, read by the control and robot threads afterwards.
    private volatile PolicyBundle bundle;
    private volatile ActivePolicy active;
    private volatile ChunkExecutor idleExecutor = new ChunkExecutor(1);
    private volatile ObservationBuffer observations = new ObservationBuffer(0, 0);
    private OrtSettings ortSettings;
    private long periodNanos;
    private PolicyLoop loop;
    private Thread thread;

    void onStart(@Observes StartupEvent event) {
        Optional<String> dir = config.bundleDir();
        if (dir.isEmpty()) {
            LOG.info("no policy bundle configured (tendon.policy.bundle-dir): the policy runtime is idle");
            PolicyMetrics.bindIdle(registry);
            return;
        }
        Path path = Path.of(dir.get());
        try {
            bundle = PolicyBundle.open(path);
        } catch (PolicyBundleException e) {
            throw new IllegalStateException("tendon.policy.bundle-dir=" + path + ": " + e.getMessage(), e);
        }
        if (config.policyRateHz().isPresent() && config.policyRateHz().get() > bundle.controlHz()) {
            throw new IllegalStateException("tendon.policy.policy-rate-hz=" + config.policyRateHz().get()
                    + " Hz exceeds the control rate of bundle " + bundle.policyId() + " (" + bundle.controlHz() + " Hz)");
        }
        ortSettings = new OrtSettings(config.executionProvider(), config.cudaDeviceId(), config.intraOpThreads(),
                config.optimisationLevel(), config.warmupRuns());
        periodNanos = Math.round(1e9 / config.policyRateHz().orElse(bundle.policyHz()));
        active = new ActivePolicy(bundle, config.shadowObservations());
        observations = new ObservationBuffer(bundle.featureDim, bundle.stateDim);
        for (GraphRole role : bundle.graphs().keySet()) {
            active.instruments().graph(TensorRoles.graphName(role));
        }
        List<String> waiting = waitingForUpdates(bundle);
        if (waiting.isEmpty()) {
            PolicyRuntime rt = build(Map.of(), bundle.version(), "bundle " + path);
            active.activate(rt);
            LOG.infof("policy bundle %s v%d loaded from %s: mode %s, %d Hz policy, graphs %s on %s (ONNX Runtime)",
                    bundle.policyId(), bundle.version(), path, bundle.mode, Math.round(1e9 / periodNanos),
                    rt.graphLatencies().keySet(), rt.provider());
        } else {
            LOG.infof("policy bundle %s loaded from %s: its %s graph arrives by policy update; until one is"
                    + " verified no policy acts", bundle.policyId(), path, String.join(", ", waiting));
        }
        PolicyMetrics.bind(registry, this);
        if (config.autostart()) {
            start();
        }
    }

    /** The graphs the bundle's mode needs that arrive by update and are not in the bundle. */
    private static List<String> waitingForUpdates(PolicyBundle bundle) {
        List<String> waiting = new ArrayList<>();
        for (GraphRole role : bundle.graphs().keySet()) {
            if (bundle.file(role) == null && PolicyRuntime.required(bundle, role)) {
                waiting.add(TensorRoles.graphName(role));
            }
        }
        return waiting;
    }

    /**
     * A runtime of this robot's bundle with {@code graphs} in place of (or filling) the bundle's,
     * carrying {@code version}, built and warmed up on the calling thread; not active yet.
     */
    public PolicyRuntime build(Map<GraphRole, PolicyGraphSource> graphs, long version, String what) {
        PolicyRuntime.Options options = new PolicyRuntime.Options().version(version).graphs(graphs);
        config.policyRateHz().ifPresent(options::policyHz);
        config.ensembleDecay().ifPresent(options::ensembleDecay);
        config.noiseSeed().ifPresent(options::noiseSeed);
        try {
            return PolicyRuntime.load(bundle, ortSettings, active.options(options));
        } catch (PolicyBundleException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new PolicyBundleException(what + ": " + e.getMessage(), e);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
        ActivePolicy a = active;
        if (a != null && a.current() != null) {
            a.current().close();
        }
    }

    /** Starts the policy thread (no-op when running or when there is no bundle). */
    public synchronized void start() {
        if (active == null || thread != null) {
            return;
        }
        // A new run counts ticks from 0 again: nothing committed or ensembled before may mix in.
        PolicyRuntime current = active.current();
        if (current != null) {
            current.reset();
        }
        loop = new PolicyLoop(active, periodNanos, observations, System::nanoTime,
                config.maxObservationAgeMs() * 1_000_000L);
        thread = new Thread(loop, "tendon-policy");
        // Its own platform thread, above the JVM's default priority (the control thread ranks higher still).
        thread.setPriority(Thread.NORM_PRIORITY + 2);
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the policy thread; the control loop keeps the last plan (and its watchdog takes over). */
    public synchronized void stop() {
        if (thread == null) {
            return;
        }
        loop.stop();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread = null;
    }

    public synchronized boolean running() {
        return thread != null;
    }

    /** What the control tick reads: the policy's plans interpolated at the control rate. */
    public TargetSource targets() {
        ActivePolicy a = active;
        return a != null ? a.executor() : idleExecutor;
    }

    /** Where the robot side (control loop or bridge) publishes the latest observation, one writer. */
    public ObservationBuffer observations() {
        return observations;
    }

    /** The runtime active now, when a bundle is configured and its graphs are there. */
    public Optional<PolicyRuntime> runtime() {
        ActivePolicy a = active;
        return Optional.ofNullable(a == null ? null : a.current());
    }

    /** The replaceable policy of this robot, when a bundle is configured. */
    public Optional<ActivePolicy> active() {
        return Optional.ofNullable(active);
    }

    /** The configured bundle, if any. */
    public Optional<PolicyBundle> bundle() {
        return Optional.ofNullable(bundle);
    }

    /** One policy tick, nanoseconds (0 without a bundle). */
    public long periodNanos() {
        return periodNanos;
    }

    /** What the policy proposed at each published step (for transitions), or empty without a bundle. */
    public Optional<LatestValue<ChunkRecord>> proposals() {
        return active().map(ActivePolicy::proposals);
    }

    long skippedTicks() {
        PolicyLoop l = loop;
        return l == null ? 0 : l.skippedTicks();
    }
}
