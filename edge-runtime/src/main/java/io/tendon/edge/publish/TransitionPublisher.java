package io.tendon.edge.publish;

import io.tendon.schemas.v1.Transition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Ships finished transitions to Kafka from its own thread. Producers (the episode recorder)
 * hand a transition over with {@link #offer}, which never blocks: when the bounded queue is
 * full the transition is refused and counted. The Kafka producer is idempotent with
 * {@code acks=all} and retries without a deadline, so a transition once accepted is
 * delivered in order when the broker comes back, as long as the process lives.
 */
public final class TransitionPublisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TransitionPublisher.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final BlockingQueue<Transition> queue;
    private final Thread thread;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean running = true;

    public TransitionPublisher(Producer<byte[], byte[]> producer, String topic, int queueCapacity) {
        this.producer = producer;
        this.topic = topic;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.thread = new Thread(this::run, "tendon-publisher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Hands a transition over; false (and counted) when the queue is full. Never blocks. */
    public boolean offer(Transition transition) {
        if (queue.offer(transition)) {
            accepted.incrementAndGet();
            return true;
        }
        refused.incrementAndGet();
        return false;
    }

    private void run() {
        while (running || !queue.isEmpty()) {
            Transition t;
            try {
                t = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t == null) {
                continue;
            }
            byte[] key = t.getRobotId().getBytes(StandardCharsets.UTF_8);
            byte[] value = t.toBuilder().setPublishTimeUnixNanos(System.currentTimeMillis() * 1_000_000L)
                    .build().toByteArray();
            producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
                if (error == null) {
                    delivered.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    LOG.errorf("transition %s/%s/%d not delivered: %s", t.getRobotId(), t.getEpisodeId(),
                            t.getStep(), error.toString());
                }
            });
        }
    }

    public long accepted() {
        return accepted.get();
    }

    public long refused() {
        return refused.get();
    }

    public long delivered() {
        return delivered.get();
    }

    public long failed() {
        return failed.get();
    }

    /** Transitions accepted and not yet acknowledged by the broker. */
    public long pending() {
        return accepted.get() - delivered.get() - failed.get();
    }

    /** Sends what is queued, waits up to {@code timeout} for acknowledgements, then closes. */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    public void close(Duration timeout) {
        running = false;
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(timeout);
    }
}
