package io.tendon.learner.testing;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.quarkus.grpc.GlobalInterceptor;
import io.tendon.schemas.access.Role;
import io.tendon.testing.TestTokens;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Tests only: every {@code @GrpcClient} of the learner's tests calls as the test operator (its bearer
 * token), the way an operator's tool would. Tests of access itself use plain channels with
 * explicit credentials or none.
 */
@ApplicationScoped
@GlobalInterceptor
public class OperatorCredentials implements ClientInterceptor {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                if (!headers.containsKey(AUTHORIZATION)) {
                    headers.put(AUTHORIZATION, "Bearer " + TestTokens.token(Role.OPERATOR));
                }
                super.start(listener, headers);
            }
        };
    }
}
