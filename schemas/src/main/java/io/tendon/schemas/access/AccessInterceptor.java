package io.tendon.schemas.access;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.spi.Prioritized;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * A service's gRPC access interceptor: its {@link AccessGate} over its rules, each refusal counted
 * in {@code <meter>{code, method}}, and the start-up warnings when access is off or no credential is
 * configured. Each service subclasses it as a CDI bean (a Quarkus global interceptor, so reflection
 * is covered too) and calls {@link #install} once its configuration is injected; it runs before
 * every other interceptor.
 */
public abstract class AccessInterceptor implements ServerInterceptor, Prioritized {

    private static final Logger LOG = Logger.getLogger(AccessInterceptor.class);

    private AccessGate gate;

    /**
     * @param meter the refusal counter's name (for example {@code tendon.edge.grpc.refused})
     * @param keys the configuration prefix the warnings name (for example {@code tendon.edge.auth})
     * @param whatIsOpen what an anonymous caller reaches when access is off, for the warning
     */
    protected final void install(AccessConfig config, AccessRules rules, MeterRegistry registry, String meter,
            String keys, String whatIsOpen) {
        AccessControl access = new AccessControl(config, rules);
        gate = new AccessGate(access, (method, verdict, reason) -> {
            Counter.builder(meter).description("gRPC calls refused for want of a credential or role")
                    .tag("code", verdict.name().toLowerCase(Locale.ROOT)).tag("method", method)
                    .register(registry).increment();
            LOG.debugf("gRPC %s refused (%s): %s", method, verdict, reason);
        });
        if (!access.enabled()) {
            LOG.warnf("%s.enabled=false: %s", keys, whatIsOpen);
        } else if (access.credentialCount() == 0) {
            LOG.warnf("no credentials configured (%s.tokens, %s.certificate-roles): every gRPC call is refused", keys, keys);
        } else {
            LOG.infof("gRPC access: %d credential(s) configured", access.credentialCount());
        }
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        // On the HTTP port (Quarkus' Vert.x gRPC bridge) a call cannot be closed while it is being
        // started: close it from the event loop right after. A plain grpc-java listener closes it at once.
        io.vertx.core.Context vertx = io.vertx.core.Vertx.currentContext();
        return gate.intercept(call, headers, next, vertx == null ? Runnable::run : r -> vertx.runOnContext(v -> r.run()));
    }

    @Override
    public int getPriority() {
        // Quarkus calls interceptors of higher priority first: nothing runs before the credential check.
        return Integer.MAX_VALUE - 1;
    }
}
