package io.tendon.edge.testing;

import io.tendon.edge.kafka.PublisherProducer;
import io.tendon.edge.kafka.TransitionPublisher;
import io.tendon.edge.spool.TransitionSpool;
import io.tendon.testing.Transitions;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The edge's publishing half in a process of its own, for the crash test: the application's
 * publisher (spool, producer settings) on {@code spoolDir}, offering transitions {@code from} up to
 * {@code to} of one episode at 200 per second. It prints {@code DELIVERED n} and {@code SPOOLED n}
 * as they go, then waits to be killed. Arguments: {@code spoolDir bootstrap topic robot episode from to}.
 */
public final class SpoolingEdgeProcess {

    private SpoolingEdgeProcess() {
    }

    public static TransitionPublisher publisher(Path spoolDir, String bootstrap, String topic) throws Exception {
        Map<String, Object> kafka = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        Map<String, Object> config = PublisherProducer.producerConfig(kafka, "crash-test", 8);
        return new TransitionPublisher(() -> new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()),
                topic, new TransitionSpool(spoolDir, 1 << 20, 1L << 30, TransitionSpool.Fsync.INTERVAL),
                new TransitionPublisher.Settings(1000, 256, 100_000_000L, 1_000_000_000L, 100_000_000L));
    }

    public static void main(String[] args) throws Exception {
        TransitionPublisher publisher = publisher(Path.of(args[0]), args[1], args[2]);
        String robot = args[3];
        String episode = args[4];
        long from = Long.parseLong(args[5]);
        long to = Long.parseLong(args[6]);
        for (long step = from; step < to; step++) {
            if (!publisher.offer(Transitions.valid(robot, episode, step).build())) {
                System.out.println("REFUSED " + step);
            }
            Thread.sleep(5);
        }
        long total = to - from;
        while (publisher.spool().appended() < total) {
            Thread.sleep(10);
        }
        System.out.println("SPOOLED " + publisher.spool().appended() + " DELIVERED " + publisher.delivered());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
