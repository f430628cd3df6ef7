package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.util.Optional;

/** tendon.publish.*: signed PolicyUpdates on tendon.topics.policy-updates. */
public interface PublishConfig {

    /** Publish verified exports; off: export and verify only. */
    @WithDefault("true")
    boolean enabled();

    /** Policy id (Kafka key of every part); [A-Za-z0-9._-], 1-64 characters. */
    @WithDefault("policy-0")
    @Pattern(regexp = "[A-Za-z0-9._-]{1,64}")
    String policyId();

    /** Publish the residual every N residual steps (0-1e9); 0: not by steps. */
    @WithDefault("5000")
    @Min(0)
    @Max(1_000_000_000)
    long everySteps();

    /** Publish the residual every N seconds of online training (0-86400); 0: not by time. */
    @WithDefault("0")
    @Min(0)
    @Max(86400)
    int everySeconds();

    /** Upper bound of one Kafka record, bytes (16384-104857600); parts are cut to fit. Match the topic's max.message.bytes. */
    @WithDefault("1048576")
    @Min(16384)
    @Max(104857600)
    int maxMessageBytes();

    /** How long to wait for the broker to acknowledge all parts, seconds (1-600). */
    @WithDefault("30")
    @Min(1)
    @Max(600)
    int sendTimeoutSeconds();

    /** Ed25519 private key, PKCS#8 PEM ("BEGIN PRIVATE KEY"); first choice when set. */
    Optional<String> keyFile();

    /** Mount directory of a Kubernetes secret holding the key (second choice when set). */
    Optional<String> keySecretDir();

    /** File name (secret data key) of the PEM private key inside key-secret-dir. */
    @WithDefault("ed25519.pem")
    @Pattern(regexp = "[A-Za-z0-9._-]{1,253}")
    String keySecretKey();

    /** Without key-file or key-secret-dir: generate (once) and use a development key pair in dev-key-dir; false makes a missing key a start-up error. */
    @WithDefault("true")
    boolean devKeyAllowed();

    /** Where the development key pair lives. */
    @WithDefault(".tendon/keys")
    @NotBlank
    String devKeyDir();

    /**
     * The public half of the signing key, X.509 PEM ("BEGIN PUBLIC KEY"), written at start-up: point
     * the edge's trusted-key configuration here.
     */
    @WithDefault(".tendon/keys/policy-signing.pub.pem")
    @NotBlank
    String publicKeyFile();

    /**
     * Transactional id of the publishing producer: every part of one update goes out in one Kafka
     * transaction, and a second learner started with the same id fences the first. Default:
     * tendon-learner-{policy-id}.
     */
    Optional<@Pattern(regexp = "[A-Za-z0-9._-]{1,200}") String> transactionalId();

    /** Last published version, persisted so versions increase across restarts. */
    @WithDefault(".tendon/state/policy-version")
    @NotBlank
    String versionFile();
}
