package io.tendon.learner.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GlobalInterceptor;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.schemas.access.AccessControl;
import io.tendon.schemas.access.AccessGate;
import io.tendon.schemas.access.AccessRules;
import io.tendon.schemas.access.Role;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;
import jakarta.inject.Inject;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Credentials and roles on every gRPC method of the learner (a Quarkus global interceptor, so
 * reflection too, before every other interceptor): status and diagnostics for observers and
 * operators. Refusals are counted in {@code tendon_learner_grpc_refused_total{code, method}}.
 */
@ApplicationScoped
@GlobalInterceptor
public class LearnerAccess implements ServerInterceptor, Prioritized {

    private static final Logger LOG = Logger.getLogger(LearnerAccess.class);

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

    private AccessGate gate;

    @PostConstruct
    void init() {
        AccessControl access = new AccessControl(config.auth(), RULES);
        gate = new AccessGate(access, this::refused);
        if (!access.enabled()) {
            LOG.warn("tendon.auth.enabled=false: every gRPC method of this learner is open to anyone who reaches its port");
        } else if (access.credentialCount() == 0) {
            LOG.warn("no credentials configured (tendon.auth.tokens, tendon.auth.certificate-roles): every gRPC call is"
                    + " refused");
        } else {
            LOG.infof("gRPC access: %d credential(s) configured", access.credentialCount());
        }
    }

    private void refused(String method, AccessControl.Verdict verdict, String reason) {
        Counter.builder("tendon.learner.grpc.refused").description("gRPC calls refused for want of a credential or role")
                .tag("code", verdict.name().toLowerCase(Locale.ROOT)).tag("method", method)
                .register(registry).increment();
        LOG.debugf("gRPC %s refused (%s): %s", method, verdict, reason);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        // The Vert.x bridge cannot take a close while the call is being started: close from the event loop.
        io.vertx.core.Context vertx = io.vertx.core.Vertx.currentContext();
        return gate.intercept(call, headers, next, vertx == null ? Runnable::run : r -> vertx.runOnContext(v -> r.run()));
    }

    @Override
    public int getPriority() {
        return Integer.MAX_VALUE - 1;
    }
}
