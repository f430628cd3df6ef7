package io.tendon.schemas.access;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Enforces {@link AccessControl} on every call of the server it is installed on, before the
 * service sees anything: no credential or an unknown one is closed with UNAUTHENTICATED, a role the
 * method does not admit with PERMISSION_DENIED; each refusal is reported to the {@link Listener}
 * (counting) and never names a token. The caller is available to the service as
 * {@link #PRINCIPAL}{@code .get()}.
 */
public final class AccessInterceptor implements ServerInterceptor {

    /** The authenticated caller of the current call. */
    public static final Context.Key<Principal> PRINCIPAL = Context.key("tendon-principal");

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** Told about every refusal (on the transport's thread: count, do not block). */
    public interface Listener {
        void refused(String fullMethodName, AccessControl.Verdict verdict, String reason);
    }

    private final AccessControl access;
    private final Listener listener;

    public AccessInterceptor(AccessControl access, Listener listener) {
        this.access = access;
        this.listener = listener;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        AccessControl.Decision d = access.decide(method, headers.get(AUTHORIZATION),
                call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (d.verdict() != AccessControl.Verdict.ALLOWED) {
            listener.refused(method, d.verdict(), d.reason());
            Status status = d.verdict() == AccessControl.Verdict.UNAUTHENTICATED ? Status.UNAUTHENTICATED
                    : Status.PERMISSION_DENIED;
            call.close(status.withDescription(d.reason()), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return Contexts.interceptCall(Context.current().withValue(PRINCIPAL, d.principal()), call, headers, next);
    }
}
