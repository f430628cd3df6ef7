package io.tendon.edge.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.tendon.edge.update.PolicyUpdater;
import io.tendon.edge.update.UpdateCache;
import io.tendon.edge.update.service.UpdateService;
import io.tendon.schemas.update.UpdateRefusedException;
import io.tendon.schemas.v1.Ack;
import io.tendon.schemas.v1.PolicyVersion;
import io.tendon.schemas.v1.PolicyVersionControl;
import io.tendon.schemas.v1.PolicyVersionRequest;
import io.tendon.schemas.v1.PolicyVersions;
import io.tendon.schemas.v1.PolicyVersionsRequest;
import jakarta.inject.Inject;
import java.io.IOException;

/**
 * An operator's view of and control over the policy versions this robot holds: list the cached
 * versions, roll back to one, pin one (updates are then cached but not applied), unpin. Building
 * a runtime takes a while: the calls run on a worker thread.
 */
@GrpcService
public class PolicyVersionService implements PolicyVersionControl {

    @Inject
    UpdateService updates;

    @Override
    @Blocking
    public Uni<PolicyVersions> list(PolicyVersionsRequest request) {
        try {
            PolicyUpdater.Listing l = updates.require().list();
            PolicyVersions.Builder b = PolicyVersions.newBuilder().setPolicyId(updates.policyId())
                    .setActiveVersion(l.activeVersion()).setHighWaterMark(l.highWaterMark())
                    .setPinnedVersion(l.pinned().orElse(0));
            for (UpdateCache.Entry e : l.entries()) {
                b.addVersions(PolicyVersion.newBuilder().setVersion(e.version()).setGraph(e.graph())
                        .setKeyId(e.keyId()).setActive(e.version() == l.activeVersion())
                        .setMarkedBad(l.bad().contains(e.version()))
                        .setCreatedUnixNanos(e.provenance().getCreatedUnixNanos()));
            }
            return Uni.createFrom().item(b.build());
        } catch (UpdateRefusedException | IOException e) {
            return Uni.createFrom().failure(io.grpc.Status.FAILED_PRECONDITION.withDescription(e.getMessage())
                    .asRuntimeException());
        }
    }

    @Override
    @Blocking
    public Uni<Ack> rollback(PolicyVersionRequest request) {
        return act(u -> u.rollback(request.getVersion(), System.nanoTime()));
    }

    @Override
    @Blocking
    public Uni<Ack> pin(PolicyVersionRequest request) {
        return act(u -> u.pin(request.getVersion(), System.nanoTime()));
    }

    @Override
    @Blocking
    public Uni<Ack> unpin(PolicyVersionsRequest request) {
        return act(u -> u.unpin(System.nanoTime()));
    }

    private interface Action {
        void run(PolicyUpdater updater) throws UpdateRefusedException, IOException;
    }

    private Uni<Ack> act(Action action) {
        try {
            action.run(updates.require());
            return Uni.createFrom().item(Ack.newBuilder().setAccepted(true).build());
        } catch (UpdateRefusedException | IOException e) {
            return Uni.createFrom().item(Ack.newBuilder().setAccepted(false).setReason(e.getMessage()).build());
        }
    }
}
