package io.tendon.edge.grpc;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GlobalInterceptor;
import io.tendon.edge.config.EdgeConfig;
import io.tendon.schemas.access.AccessGate;
import io.tendon.schemas.access.AccessInterceptor;
import io.tendon.schemas.access.AccessRules;
import io.tendon.schemas.access.Principal;
import io.tendon.schemas.access.Role;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Credentials and roles on every gRPC method of the edge: installed on the HTTP port's gRPC server
 * (a Quarkus global interceptor, reflection included, before every other interceptor) and, as the
 * same bean, on the robot bridge's listener ({@link BridgeServer}). Refusals are counted in
 * {@code tendon_edge_grpc_refused_total{code, method}}.
 */
@ApplicationScoped
@GlobalInterceptor
public class EdgeAccess extends AccessInterceptor {

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

    @PostConstruct
    void init() {
        install(config.auth(), RULES, registry, "tendon.edge.grpc.refused", "tendon.edge.auth",
                "every gRPC method of this edge is open to anyone who reaches its ports, the robot's motion included");
    }

    /** The caller of the current gRPC call, as the interceptor authenticated it. */
    public static String caller() {
        Principal p = AccessGate.PRINCIPAL.get();
        return p == null ? "unknown" : p.name();
    }
}
