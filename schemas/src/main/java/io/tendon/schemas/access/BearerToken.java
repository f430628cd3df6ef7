package io.tendon.schemas.access;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.concurrent.Executor;

/** Client side: sends {@code authorization: Bearer TOKEN} with every call ({@code stub.withCallCredentials(...)}). */
public final class BearerToken extends CallCredentials {

    private final String token;

    public BearerToken(String token) {
        this.token = token;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        Metadata m = new Metadata();
        m.put(AccessGate.AUTHORIZATION, "Bearer " + token);
        applier.apply(m);
    }
}
