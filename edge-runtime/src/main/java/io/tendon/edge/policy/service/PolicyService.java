package io.tendon.edge.policy.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tendon.edge.control.TargetSource;
import io.tendon.edge.policy.ChunkExecutor;
import io.tendon.edge.policy.ChunkRecord;
import io.tendon.edge.policy.ObservationBuffer;
import io.tendon.edge.policy.OrtSettings;
import io.tendon.edge.policy.PolicyBundle;
import io.tendon.edge.policy.PolicyBundleException;
import io.tendon.edge.policy.PolicyLoop;
import io.tendon.edge.policy.PolicyRuntime;
import io.tendon.edge.control.LatestValue;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The policy on the edge: loads the configured bundle at start-up (a broken bundle stops the
 * service with an error naming the key and the problem), runs the policy loop on its own
 * platform thread, and hands the control loop a {@link TargetSource} and the robot side an
 * {@link ObservationBuffer}. Without a bundle the service starts all the same: the target
 * source then never has anything new, and the observation buffer takes no features.
 */
@ApplicationScoped
public class PolicyService {

    private static final Logger LOG = Logger.getLogger(PolicyService.class);

    @Inject
    PolicyConfig config;

    @Inject
    MeterRegistry registry;

    // Set once at start-up, read by the control and robot threads afterwards.
    private volatile PolicyRuntime runtime;
    private volatile ChunkExecutor executor = new ChunkExecutor(1);
    private volatile ObservationBuffer observations = new ObservationBuffer(0, 0);
    private PolicyLoop loop;
    private Thread thread;

    void onStart(@Observes StartupEvent event) {
        Optional<String> dir = config.bundleDir();
        if (dir.isEmpty()) {
            LOG.info("no policy bundle configured (tendon.policy.bundle-dir): the policy runtime is idle");
            PolicyMetrics.bindIdle(registry);
            return;
        }
        runtime = load(Path.of(dir.get()));
        executor = runtime.executor();
        observations = runtime.newObservationBuffer();
        PolicyMetrics.bind(registry, runtime, this);
        if (config.autostart()) {
            start();
        }
    }

    private PolicyRuntime load(Path dir) {
        PolicyBundle bundle;
        try {
            bundle = PolicyBundle.open(dir);
        } catch (PolicyBundleException e) {
            throw new IllegalStateException("tendon.policy.bundle-dir=" + dir + ": " + e.getMessage(), e);
        }
        if (config.policyRateHz().isPresent() && config.policyRateHz().get() > bundle.controlHz()) {
            throw new IllegalStateException("tendon.policy.policy-rate-hz=" + config.policyRateHz().get()
                    + " Hz exceeds the control rate of bundle " + bundle.policyId() + " (" + bundle.controlHz() + " Hz)");
        }
        OrtSettings settings = new OrtSettings(config.executionProvider(), config.cudaDeviceId(),
                config.intraOpThreads(), config.optimisationLevel(), config.warmupRuns());
        PolicyRuntime.Options options = new PolicyRuntime.Options();
        config.policyRateHz().ifPresent(options::policyHz);
        config.ensembleDecay().ifPresent(options::ensembleDecay);
        config.noiseSeed().ifPresent(options::noiseSeed);
        try {
            PolicyRuntime rt = PolicyRuntime.load(bundle, settings, options);
            LOG.infof("policy bundle %s v%d loaded from %s: mode %s, %d Hz policy, graphs %s on %s (ONNX Runtime)",
                    bundle.policyId(), bundle.version(), dir, bundle.mode, Math.round(1e9 / rt.periodNanos()),
                    rt.graphLatencies().keySet(), rt.provider());
            return rt;
        } catch (PolicyBundleException e) {
            throw new IllegalStateException("tendon.policy.bundle-dir=" + dir + ": " + e.getMessage(), e);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
        if (runtime != null) {
            runtime.close();
        }
    }

    /** Starts the policy thread (no-op when running or when there is no bundle). */
    public synchronized void start() {
        if (runtime == null || thread != null) {
            return;
        }
        // A new run counts ticks from 0 again: nothing committed or ensembled before may mix in.
        runtime.reset();
        loop = new PolicyLoop(runtime, observations, System::nanoTime, config.maxObservationAgeMs() * 1_000_000L);
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
        return executor;
    }

    /** Where the robot side (control loop or bridge) publishes the latest observation, one writer. */
    public ObservationBuffer observations() {
        return observations;
    }

    /** The loaded runtime, when a bundle is configured. */
    public Optional<PolicyRuntime> runtime() {
        return Optional.ofNullable(runtime);
    }

    /** What the policy proposed at each published step (for transitions), or empty without a bundle. */
    public Optional<LatestValue<ChunkRecord>> proposals() {
        return runtime().map(PolicyRuntime::proposals);
    }

    long skippedTicks() {
        PolicyLoop l = loop;
        return l == null ? 0 : l.skippedTicks();
    }
}
