package io.tendon.edge.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GlobalInterceptor;
import io.tendon.edge.config.EdgeConfig;
import io.tendon.schemas.access.AccessControl;
import io.tendon.schemas.access.AccessGate;
import io.tendon.schemas.access.AccessRules;
import io.tendon.schemas.access.Principal;
import io.tendon.schemas.access.Role;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;
import jakarta.inject.Inject;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Credentials and roles on every gRPC method of the edge: installed on the HTTP port's gRPC server
 * (a Quarkus global interceptor, reflection included, before every other interceptor) and, as the
 * same bean, on the robot bridge's listener ({@link BridgeServer}). Refusals are counted in
 * {@code tendon_edge_grpc_refused_total{code, method}}.
 */
@ApplicationScoped
@GlobalInterceptor
public class EdgeAccess implements ServerInterceptor, Prioritized {

    private static final Logger LOG = Logger.getLogger(EdgeAccess.class);

    /** Which role may call what on the edge. */
    public static final AccessRules RULES = new AccessRules()
            .service("tendon.v1.RobotBridge", Role.DRIVER)
            .service(BridgeEcho.SERVICE, Role.DRIVER)
            .service("tendon.v1.Teleop", Role.OPERATOR)
            .service("tendon.v1.Episodes", Role.OPERATOR)
            .service("tendon.v1.Sessions", Role.OPERATOR)
            .service("tendon.v1.PolicyVersionControl", Role.OPERATOR)
            .method("tendon.v1.PolicyVersionControl/List", Role.OPERATOR, Role.OBSERVER)
            // The simulator's evaluations freeze the running policy version: an operator's call.
            .service("tendon.v1.SimControl", Role.OPERATOR)
            .method("tendon.v1.SimControl/Status", Role.OPERATOR, Role.OBSERVER)
            .service("tendon.v1.EdgeStatusService", Role.OBSERVER, Role.OPERATOR, Role.DRIVER)
            .service("grpc.health.v1.Health", Role.OBSERVER, Role.OPERATOR, Role.DRIVER)
            .reflection(Role.OBSERVER, Role.OPERATOR);

    @Inject
    EdgeConfig config;

    @Inject
    MeterRegistry registry;

    private AccessGate gate;

    @PostConstruct
    void init() {
        AccessControl access = new AccessControl(config.auth(), RULES);
        gate = new AccessGate(access, this::refused);
        if (!access.enabled()) {
            LOG.warn("tendon.edge.auth.enabled=false: every gRPC method of this edge is open to anyone who reaches"
                    + " its ports, the robot's motion included");
        } else if (access.credentialCount() == 0) {
            LOG.warn("no credentials configured (tendon.edge.auth.tokens, tendon.edge.auth.certificate-roles):"
                    + " every gRPC call is refused");
        } else {
            LOG.infof("gRPC access: %d credential(s) configured", access.credentialCount());
        }
    }

    private void refused(String method, AccessControl.Verdict verdict, String reason) {
        Counter.builder("tendon.edge.grpc.refused").description("gRPC calls refused for want of a credential or role")
                .tag("code", verdict.name().toLowerCase(Locale.ROOT)).tag("method", method)
                .register(registry).increment();
        LOG.debugf("gRPC %s refused (%s): %s", method, verdict, reason);
    }

    /** The caller of the current gRPC call, as the interceptor authenticated it. */
    public static String caller() {
        Principal p = AccessGate.PRINCIPAL.get();
        return p == null ? "unknown" : p.name();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        // On the HTTP port (the Vert.x bridge) a call cannot be closed while it is being started: close
        // it from the event loop right after. The bridge listener (grpc-java) closes it at once.
        io.vertx.core.Context vertx = io.vertx.core.Vertx.currentContext();
        return gate.intercept(call, headers, next, vertx == null ? Runnable::run : r -> vertx.runOnContext(v -> r.run()));
    }

    @Override
    public int getPriority() {
        // Quarkus calls interceptors of higher priority first: nothing runs before the credential check.
        return Integer.MAX_VALUE - 1;
    }
}
