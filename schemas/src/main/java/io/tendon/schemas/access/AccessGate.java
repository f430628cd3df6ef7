package io.tendon.schemas.access;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.concurrent.Executor;

/**
 * Enforces {@link AccessControl} on a gRPC call before the service sees anything: no credential
 * or an unknown one is closed with UNAUTHENTICATED, a role the method does not admit with
 * PERMISSION_DENIED; each refusal is reported to the {@link Listener} (counting) and never names a
 * token. The caller is available to the service as {@link #PRINCIPAL}{@code .get()}. Each service
 * wraps it in its own {@code ServerInterceptor} (a CDI bean of the service, so Quarkus installs it
 * on every service, reflection included).
 */
public final class AccessGate {

    /** The authenticated caller of the current call. */
    public static final Context.Key<Principal> PRINCIPAL = Context.key("tendon-principal");

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** Told about every refusal (on the transport's thread: count, do not block). */
    public interface Listener {
        void refused(String fullMethodName, AccessControl.Verdict verdict, String reason);
    }

    private final AccessControl access;
    private final Listener listener;

    public AccessGate(AccessControl access, Listener listener) {
        this.access = access;
        this.listener = listener;
    }

    public AccessControl access() {
        return access;
    }

    /**
     * The interceptor's work: lets the call through with its caller in the context, or refuses it.
     *
     * @param closer runs the refusal's {@code call.close}: directly for grpc-java servers; a server
     *               that cannot take a close while the call is being started (the Vert.x bridge
     *               Quarkus uses) passes its event loop
     */
    public <Q, R> ServerCall.Listener<Q> intercept(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next,
            Executor closer) {
        String method = call.getMethodDescriptor().getFullMethodName();
        AccessControl.Decision d = access.decide(method, headers.get(AUTHORIZATION),
                call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (d.verdict() != AccessControl.Verdict.ALLOWED) {
            listener.refused(method, d.verdict(), d.reason());
            Status status = (d.verdict() == AccessControl.Verdict.UNAUTHENTICATED ? Status.UNAUTHENTICATED
                    : Status.PERMISSION_DENIED).withDescription(d.reason());
            closer.execute(() -> call.close(status, new Metadata()));
            return new ServerCall.Listener<>() {
            };
        }
        return Contexts.interceptCall(Context.current().withValue(PRINCIPAL, d.principal()), call, headers, next);
    }
}
