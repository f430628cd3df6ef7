package io.tendon.edge.update.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.tendon.edge.config.EdgeConfig;
import io.tendon.edge.control.ControlCounters;
import io.tendon.edge.control.SafetyTrips;
import io.tendon.edge.episode.TransitionRecorder;
import io.tendon.edge.kafka.EpisodeEventEmitter;
import io.tendon.edge.kafka.PolicyUpdateReceiver;
import io.tendon.schemas.kafka.KafkaClientMeters;
import io.tendon.edge.policy.ActivePolicy;
import io.tendon.edge.policy.PolicyBundle;
import io.tendon.edge.policy.PolicyStats;
import io.tendon.edge.policy.service.PolicyService;
import io.tendon.edge.runtime.ControlService;
import io.tendon.edge.update.PolicyUpdater;
import io.tendon.edge.update.ShadowCheck;
import io.tendon.edge.update.UpdateCache;
import io.tendon.schemas.update.TrustedKeys;
import io.tendon.schemas.update.UpdateAssembler;
import io.tendon.schemas.update.UpdateRefusal;
import io.tendon.schemas.update.UpdateRefusedException;
import io.tendon.schemas.update.VerifiedUpdate;
import io.tendon.schemas.v1.EpisodeEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * Signed policy updates in, for the loaded bundle: at start-up the newest verified version in the
 * robot's cache runs (no broker needed); then a receiver thread reads the updates topic,
 * reassembles and verifies each update (parts, SHA-256, a trusted Ed25519 signature), and the
 * {@link PolicyUpdater} checks it on this robot (replay, graph role, tensors, shadow run) and swaps
 * it in, or refuses it with a reason that is counted and logged once. Each swap and rollback is
 * also an event on the episode-events topic. Without a bundle nothing runs.
 */
@ApplicationScoped
public class UpdateService {

    private static final Logger LOG = Logger.getLogger(UpdateService.class);

    @Inject
    EdgeConfig config;

    @Inject
    PolicyService policy;

    @Inject
    ControlService control;

    @Inject
    TransitionRecorder recorder;

    @Inject
    EpisodeEventEmitter events;

    @Inject
    MeterRegistry registry;

    @Inject
    KafkaClientMeters kafkaMeters;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaDefaults;

    private volatile PolicyUpdater updater;
    private volatile UpdateMetrics metrics;
    private PolicyUpdateReceiver receiver;
    private UpdateAssembler assembler;
    private volatile TrustedKeys keys = TrustedKeys.of();
    private long keysReadNanos;

    void onStart(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 2000) StartupEvent event)
            throws IOException {
        EdgeConfig.Updates cfg = config.updates();
        Optional<ActivePolicy> active = policy.active();
        if (!cfg.enabled() || active.isEmpty()) {
            LOG.infof("policy updates are not received (%s)", active.isEmpty() ? "no policy bundle" : "disabled");
            return;
        }
        PolicyBundle bundle = policy.bundle().orElseThrow();
        readKeys(System.nanoTime());
        if (keys.isEmpty()) {
            LOG.warn("no trusted policy-signing keys (tendon.edge.updates.trusted-keys): every policy update will be"
                    + " refused as signed with an unknown key");
        }
        metrics = UpdateMetrics.bind(registry, this);
        UpdateCache cache = new UpdateCache(Path.of(cfg.cacheDir()), bundle.policyId());
        EdgeConfig.Updates.Shadow s = cfg.shadow();
        EdgeConfig.Updates.Rollback r = cfg.rollback();
        int tripMask = tripMask(r.tripReasons());
        ControlCounters counters = control.metrics();
        PolicyStats stats = active.get().instruments().stats;
        PolicyUpdater.Settings settings = new PolicyUpdater.Settings(
                new ShadowCheck.Limits(s.maxPositionM(), s.maxOrientationRad(), s.maxStiffnessNPerM()),
                Math.round(r.windowSeconds() * 1e9), r.maxSafetyTrips(), r.maxPolicyFaults(),
                TimeUnit.SECONDS.toNanos(5));
        updater = new PolicyUpdater(bundle, cache, () -> keys, policy::build, active.get(), settings,
                () -> trips(counters, tripMask), () -> stats.nonFinite() + stats.misses() + stats.failures(),
                new Events());
        updater.boot(System.nanoTime());

        assembler = new UpdateAssembler(new UpdateAssembler.Limits(cfg.maxParts(), cfg.maxUpdateBytes(),
                cfg.maxHeldBytes(), TimeUnit.SECONDS.toNanos(cfg.incompleteTimeoutSeconds())), keys);
        String group = cfg.groupId().orElse("tendon-edge-" + config.robotId());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(PolicyUpdateReceiver.consumerConfig(kafkaDefaults,
                group, config.robotId() + "-updates", 16 << 20), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        kafkaMeters.bind(consumer); // lag and fetch metrics of the update consumer (kafka_consumer_*)
        receiver = new PolicyUpdateReceiver(consumer, config.topics().policyUpdates(), bundle.policyId(), assembler,
                new Handler(), Duration.ofMillis(200));
        receiver.start();
        LOG.infof("receiving policy updates for %s from %s (group %s), trusting keys %s, cache %s",
                bundle.policyId(), config.topics().policyUpdates(), group, keys.ids(), cache.directory());
    }

    /** Before the policy service closes its runtimes: no update is built or swapped in while it does. */
    void onStop(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.PLATFORM_BEFORE + 100) ShutdownEvent event) {
        if (receiver != null) {
            receiver.stop();
        }
    }

    /** The updater, when updates are received (a bundle is loaded and updates are enabled). */
    public Optional<PolicyUpdater> updater() {
        return Optional.ofNullable(updater);
    }

    public Optional<PolicyUpdateReceiver> receiver() {
        return Optional.ofNullable(receiver);
    }

    /** The receiver's bytes held for incomplete updates. */
    long heldBytes() {
        UpdateAssembler a = assembler;
        return a == null ? 0 : a.heldBytes();
    }

    public String policyId() {
        return policy.bundle().map(PolicyBundle::policyId).orElse("");
    }

    private void readKeys(long now) {
        List<Path> paths = new ArrayList<>();
        config.updates().trustedKeys().ifPresent(list -> list.forEach(p -> paths.add(Path.of(p))));
        try {
            keys = TrustedKeys.load(paths);
        } catch (IOException e) {
            LOG.errorf("tendon.edge.updates.trusted-keys: %s; keeping the keys read before (%s)", e.getMessage(),
                    keys.ids());
        }
        keysReadNanos = now;
        UpdateAssembler a = assembler;
        if (a != null) {
            a.trust(keys);
        }
    }

    static int tripMask(List<String> reasons) {
        int mask = 0;
        for (int i = 0; i < SafetyTrips.COUNT; i++) {
            if (reasons.contains(SafetyTrips.name(i))) {
                mask |= 1 << i;
            }
        }
        return mask;
    }

    static long trips(ControlCounters counters, int mask) {
        long sum = 0;
        for (int i = 0; i < SafetyTrips.COUNT; i++) {
            if ((mask & (1 << i)) != 0) {
                sum += counters.trips(i);
            }
        }
        return sum;
    }

    private final class Handler implements PolicyUpdateReceiver.Handler {
        @Override
        public void verified(VerifiedUpdate update, long nowNanos) {
            metrics.verified.incrementAndGet();
            updater.offer(update, nowNanos);
        }

        @Override
        public void refused(UpdateAssembler.Result result) {
            metrics.refused(result.reason());
            LOG.warn(result.describe() + "; the running policy is untouched");
        }

        @Override
        public void tick(long nowNanos) {
            updater.watch(nowNanos);
            if (nowNanos - keysReadNanos > TimeUnit.SECONDS.toNanos(config.updates().trustedKeysReloadSeconds())) {
                readKeys(nowNanos);
            }
        }
    }

    /** The updater's news: meters, one log line each, events on the episode-events topic. */
    private final class Events implements PolicyUpdater.Events {
        @Override
        public void applied(long version, String reason, long createdUnixNanos) {
            metrics.applied.incrementAndGet();
            if (createdUnixNanos > 0) {
                long ageNanos = System.currentTimeMillis() * 1_000_000L - createdUnixNanos;
                if (ageNanos >= 0) {
                    metrics.publishToActive.record(ageNanos, TimeUnit.NANOSECONDS);
                }
            }
            LOG.infof("policy %s v%d runs now (%s)", policyId(), version, reason);
            send(EpisodeEvent.Kind.POLICY_APPLIED, version, reason);
        }

        @Override
        public void rolledBack(long from, long to, String reason) {
            metrics.rolledBack.incrementAndGet();
            LOG.warnf("policy %s rolled back from v%d to v%d: %s", policyId(), from, to, reason);
            send(EpisodeEvent.Kind.POLICY_ROLLED_BACK, to, reason);
        }

        @Override
        public void refused(String name, UpdateRefusal reason, String detail) {
            metrics.refused(reason);
            LOG.warnf("policy update %s refused (%s): %s; the running policy is untouched", name, reason.label(), detail);
        }

        @Override
        public void checked(ShadowCheck.Result result) {
            metrics.shadow(result);
        }

        @Override
        public void cachedWhilePinned(long version, long pinned) {
            LOG.infof("policy %s v%d verified and cached; not applied while v%d is pinned", policyId(), version, pinned);
        }

        private void send(EpisodeEvent.Kind kind, long version, String reason) {
            EpisodeEvent event = EpisodeEvent.newBuilder().setRobotId(config.robotId())
                    .setEpisodeId(recorder.episodeId()).setKind(kind).setPolicyVersion(version).setReason(reason)
                    .setTimeUnixNanos(System.currentTimeMillis() * 1_000_000L).build();
            events.send(event).exceptionally(error -> {
                LOG.warnf("policy event %s v%d not delivered: %s", kind, version, error.toString());
                return null;
            });
        }
    }

    /** For the operators' gRPC calls: the updater or a clear refusal. */
    public PolicyUpdater require() throws UpdateRefusedException {
        PolicyUpdater u = updater;
        if (u == null) {
            throw new UpdateRefusedException(UpdateRefusal.UNKNOWN_GRAPH,
                    "this edge receives no policy updates (no bundle, or tendon.edge.updates.enabled=false)");
        }
        return u;
    }
}
