package io.tendon.edge.kafka;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.tendon.schemas.v1.EpisodeEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Sends episode markers to the episode-events channel, keyed by robot id. Kept apart from
 * the gRPC service because an Emitter cannot be injected into a @GrpcService directly.
 */
@ApplicationScoped
public class EpisodeEventEmitter {

    @Inject
    @Channel("episode-events")
    Emitter<byte[]> emitter;

    /** Completes when the broker acknowledged the event. */
    public CompletionStage<Void> send(EpisodeEvent event) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Message<byte[]> message = Message.of(event.toByteArray())
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.getRobotId()).build())
                .withAck(() -> {
                    done.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(error -> {
                    done.completeExceptionally(error);
                    return CompletableFuture.completedFuture(null);
                });
        emitter.send(message);
        return done;
    }
}
