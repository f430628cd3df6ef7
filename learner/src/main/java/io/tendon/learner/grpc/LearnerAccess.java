package io.tendon.learner.grpc;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GlobalInterceptor;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.schemas.access.AccessInterceptor;
import io.tendon.schemas.access.AccessRules;
import io.tendon.schemas.access.Role;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Credentials and roles on every gRPC method of the learner (a Quarkus global interceptor, so
 * reflection too, before every other interceptor): status and diagnostics for observers and
 * operators. Refusals are counted in {@code tendon_learner_grpc_refused_total{code, method}}.
 */
@ApplicationScoped
@GlobalInterceptor
public class LearnerAccess extends AccessInterceptor {

    /** Which role may call what on the learner. */
    public static final AccessRules RULES = new AccessRules()
            .service("tendon.v1.LearnerStatusService", Role.OBSERVER, Role.OPERATOR)
            .service("tendon.v1.Diagnostics", Role.OBSERVER, Role.OPERATOR)
            .service("grpc.health.v1.Health", Role.OBSERVER, Role.OPERATOR, Role.DRIVER)
            .reflection(Role.OBSERVER, Role.OPERATOR);

    @Inject
    LearnerConfig config;

    @Inject
    MeterRegistry registry;

    @PostConstruct
    void init() {
        install(config.auth(), RULES, registry, "tendon.learner.grpc.refused", "tendon.auth",
                "every gRPC method of this learner is open to anyone who reaches its port");
    }
}
