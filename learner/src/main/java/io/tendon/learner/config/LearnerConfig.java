package io.tendon.learner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.Valid;
import io.tendon.schemas.access.AccessConfig;
import io.tendon.schemas.layout.LayoutConfig;
import jakarta.validation.constraints.Pattern;

/**
 * Every learner setting, declared once with its unit and bounds; Quarkus validates them at
 * start-up and refuses to start with a message naming the key. Each group (tendon.topics.*,
 * tendon.replay.*, ...) lives in its own file of this package.
 */
@ConfigMapping(prefix = "tendon")
public interface LearnerConfig {

    /** Identity written into provenance and status; [A-Za-z0-9._-], 1-64 characters. */
    @WithDefault("learner-0")
    @Pattern(regexp = "[A-Za-z0-9._-]{1,64}")
    String learnerId();

    @Valid
    TopicsConfig topics();

    @Valid
    LayoutConfig layout();

    @Valid
    IngestConfig ingest();

    @Valid
    ReplayConfig replay();

    @Valid
    QualityConfig quality();

    @Valid
    DemoConfig demo();

    @Valid
    TrainConfig train();

    @Valid
    CriticConfig critic();

    @Valid
    ValueConfig value();

    @Valid
    CqlConfig cql();

    @Valid
    AdvantageConfig advantage();

    @Valid
    ResidualConfig residual();

    @Valid
    BcConfig bc();

    @Valid
    PolicyConfig policy();

    @Valid
    ExportConfig export();

    @Valid
    PublishConfig publish();

    @Valid
    CheckpointConfig checkpoint();

    /** tendon.auth.*: who may call the learner's gRPC methods (tokens, client certificates, roles). */
    @Valid
    AccessConfig auth();

    @Valid
    DiagnosticsConfig diagnostics();
}
