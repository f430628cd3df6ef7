package io.tendon.learner.train;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tendon.learner.checkpoint.CheckpointStore;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.config.Stage;
import io.tendon.learner.export.ExportVerifier;
import io.tendon.learner.kafka.KafkaClients;
import io.tendon.learner.kafka.TopicProvisioner;
import io.tendon.schemas.kafka.KafkaClientMeters;
import io.tendon.learner.metrics.TrainerMeters;
import io.tendon.learner.nn.TorchRuntime;
import io.tendon.learner.policy.PolicyBundle;
import io.tendon.learner.publish.PolicyPublisher;
import io.tendon.learner.publish.SigningKey;
import io.tendon.learner.publish.SigningKeys;
import io.tendon.learner.publish.TopicVersions;
import io.tendon.learner.publish.VersionStore;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.bytedeco.pytorch.Device;
import org.jboss.logging.Logger;

/**
 * Wires the trainer from the configuration at start-up (networks, frozen base from the bundle,
 * signing key, versions, publisher, checkpoint store, resume) and runs it until shutdown.
 * Batches come from the application's {@link TrainingData} bean; without one the trainer waits.
 */
@ApplicationScoped
public class TrainingService {

    private static final Logger LOG = Logger.getLogger(TrainingService.class);

    @Inject
    LearnerConfig config;

    @Inject
    KafkaClients kafka;

    @Inject
    Instance<TrainingData> data;

    @Inject
    MeterRegistry registry;

    @Inject
    KafkaClientMeters kafkaMeters;

    private volatile Trainer trainer;
    private volatile TrainingRun run;
    private KafkaProducer<byte[], byte[]> producer;
    private Map<String, Long> restoredOffsets = Map.of();

    void onStart(@Observes @Priority(TopicProvisioner.STARTUP_PRIORITY + 5) StartupEvent event) throws Exception {
        if (config.train().enabled()) {
            start();
        } else {
            LOG.info("training is off (tendon.train.enabled=false)");
        }
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        stop();
    }

    /** Builds everything and starts the trainer thread; a configuration problem fails start-up. */
    public synchronized void start() throws Exception {
        var problems = TrainingConfigCheck.problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid training configuration:\n  " + String.join("\n  ", problems));
        }
        TorchRuntime.configure(config.train().threads(), config.train().seed());
        Device device = TorchRuntime.device(config.train().device(), "tendon.train.device");
        Optional<PolicyBundle> bundle = Optional.empty();
        if (config.policy().bundleDir().isPresent()) {
            PolicyBundle b = PolicyBundle.read(Path.of(config.policy().bundleDir().get()));
            String id = b.manifest().getPolicyId();
            if (!id.isEmpty() && !id.equals(config.publish().policyId())) {
                throw new IllegalArgumentException("the bundle is policy '" + id + "' but tendon.publish.policy-id is '"
                        + config.publish().policyId() + "'");
            }
            bundle = Optional.of(b);
        }
        var bundleProblems = TrainingConfigCheck.problems(config, bundle);
        if (!bundleProblems.isEmpty()) {
            throw new IllegalArgumentException("invalid training configuration:\n  " + String.join("\n  ", bundleProblems));
        }
        TrainingRun newRun = new TrainingRun(config, device, bundle);
        var publish = config.publish();
        VersionStore versions = new VersionStore(Path.of(publish.versionFile()));
        var ckpt = config.checkpoint();
        CheckpointStore store = new CheckpointStore(Path.of(ckpt.dir()), ckpt.keep());
        Optional<CheckpointStore.Checkpoint> latest = Optional.empty();
        if (ckpt.resume()) {
            latest = store.latest();
            if (latest.isPresent()) {
                restoredOffsets = newRun.restore(latest.get());
                versions.atLeast(newRun.publishedVersion());
                LOG.infof("resumed from checkpoint %d in stage %s", latest.get().id(), newRun.stage());
            }
        }
        Optional<PolicyPublisher> publisher = Optional.empty();
        if (publish.enabled()) {
            SigningKey key = SigningKeys.load(publish.keyFile(), publish.keySecretDir(), publish.keySecretKey(),
                    publish.devKeyAllowed(), Path.of(publish.devKeyDir()), Path.of(publish.publicKeyFile()));
            // Versions never go backwards, even with the version file lost: continue above the topic's newest.
            long onTopic = TopicVersions.highest(kafka.common(), config.topics().policyUpdates(), publish.policyId(),
                    Duration.ofSeconds(60));
            if (onTopic > versions.lastReserved()) {
                LOG.infof("the updates topic already holds %s v%d: versions continue above it", publish.policyId(), onTopic);
            }
            versions.atLeast(onTopic);
            Map<String, Object> props = kafka.common();
            props.put(ProducerConfig.CLIENT_ID_CONFIG, config.learnerId() + "-policy-publisher");
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, publish.maxMessageBytes());
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                    publish.transactionalId().orElse("tendon-learner-" + publish.policyId()));
            producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
            kafkaMeters.bind(producer);
            // Fences any earlier learner with this id and aborts what it left open.
            producer.initTransactions();
            publisher = Optional.of(new PolicyPublisher(publish.policyId(), config.topics().policyUpdates(), key, versions,
                    producer, publish.maxMessageBytes(), Duration.ofSeconds(publish.sendTimeoutSeconds()), true));
        }
        TrainingData source = null;
        if (data.isResolvable()) {
            source = data.get();
        } else {
            LOG.warn("no TrainingData bean (replay) is wired: the trainer waits for data");
        }
        var train = config.train();
        Trainer.Settings settings = new Trainer.Settings(config.learnerId(), publish.policyId(), train.bcSteps(),
                train.offlineCriticSteps(), train.onlineSteps(), train.onlineCriticUpdates(), train.idleWaitMs(),
                config.bc().replaceBase(), config.export().probeRows(), publish.everySteps(), publish.everySeconds(),
                ckpt.everySteps(), ckpt.everySeconds(), config.export().dir().map(Path::of), config.bc().minTransitions());
        Trainer newTrainer = new Trainer(newRun, source, settings, versions, publisher,
                new ExportVerifier(config.export().tolerance(), config.export().relativeTolerance(),
                        config.policy().threads()), Optional.of(store));
        TrainerMeters trainerMeters = new TrainerMeters(registry);
        if (latest.isPresent()) {
            trainerMeters.checkpoints().restored(latest.get().completedAtMillis());
        }
        newTrainer.meters(trainerMeters);
        run = newRun;
        trainer = newTrainer;
        registerMetrics();
        newTrainer.start();
    }

    /** Stops the trainer (final checkpoint) and releases the producer. */
    public synchronized void stop() throws InterruptedException {
        Trainer t = trainer;
        if (t != null) {
            t.stop();
            trainer = null;
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }

    private void registerMetrics() {
        for (Stage stage : Stage.values()) {
            Gauge.builder("tendon.learner.stage", this, s -> s.currentStage() == stage ? 1 : 0)
                    .tag("stage", stage.name())
                    .description("1 for the stage the trainer is in")
                    .register(registry);
        }
        for (String net : new String[] {TrainingRun.NET_CRITIC, TrainingRun.NET_VALUE, TrainingRun.NET_RESIDUAL,
                TrainingRun.NET_BC}) {
            FunctionCounter.builder("tendon.learner.train.steps", this,
                    s -> s.run == null ? 0 : s.run.steps().getOrDefault(net, 0L))
                    .tag("network", net)
                    .description("Gradient steps taken")
                    .register(registry);
        }
        for (String loss : new String[] {"critic", "value", "residual", "bc", "head"}) {
            Gauge.builder("tendon.learner.train.loss", this,
                    s -> s.run == null ? Double.NaN : s.run.losses().getOrDefault(loss, Double.NaN))
                    .tag("loss", loss)
                    .description("Latest training loss of each network (NaN before its first step)")
                    .register(registry);
        }
        for (String reason : BLOCKED_REASONS) {
            Gauge.builder("tendon.learner.train.waiting", this, s -> s.waitingFor(reason))
                    .tag("reason", reason)
                    .description("1 while the trainer cannot take a step for this reason")
                    .register(registry);
        }
        Gauge.builder("tendon.learner.train.steps.rate", this, s -> s.trainer == null ? 0 : s.trainer.status().stepsPerSecond())
                .description("Gradient steps per second over the last 10 s")
                .register(registry);
        Gauge.builder("tendon.learner.train.samples.per.insert", this,
                s -> s.trainer == null ? 0 : s.trainer.status().samplesPerInsert())
                .description("Rows sampled for training per row inserted into replay, last 10 s (achieved)")
                .register(registry);
        Gauge.builder("tendon.learner.train.updates.per.insert", this,
                s -> s.trainer == null ? 0 : s.trainer.status().updatesPerInsert())
                .description("Critic updates per row inserted into replay, last 10 s (achieved update-to-data ratio)")
                .register(registry);
        Gauge.builder("tendon.learner.policy.version", this, s -> s.run == null ? 0 : s.run.publishedVersion())
                .description("Last policy version published")
                .register(registry);
        FunctionCounter.builder("tendon.learner.export.refused", this,
                s -> s.trainer == null ? 0 : s.trainer.status().exportsRefused())
                .description("Exports that ONNX Runtime did not reproduce within tolerance")
                .register(registry);
    }

    /** The labels of Trainer's blocked reasons (the text before the colon), as metric tags. */
    static final String[] BLOCKED_REASONS = {"waiting for data", "no demonstrations", "empty", "quality",
        "minimum size", "rate limiter", "timed out", "no replay", "closed", "step failed"};

    private double waitingFor(String reason) {
        Trainer t = trainer;
        if (t == null) {
            return 0;
        }
        TrainingStatus status = t.status();
        return status.waitingForData() && Trainer.reasonKey(status.blockedReason()).equals(reason) ? 1 : 0;
    }

    private Stage currentStage() {
        TrainingRun r = run;
        return r == null ? null : r.stage();
    }

    /** The running trainer's status; empty when training is off. */
    public Optional<TrainingStatus> status() {
        Trainer t = trainer;
        return t == null ? Optional.empty() : Optional.of(t.status());
    }

    /** The training run (for diagnostics); empty when training is off. */
    public Optional<TrainingRun> trainingRun() {
        return Optional.ofNullable(run);
    }

    /** Consumer offsets read back from the checkpoint this learner resumed from (empty if none). */
    public Map<String, Long> restoredOffsets() {
        return restoredOffsets;
    }
}
