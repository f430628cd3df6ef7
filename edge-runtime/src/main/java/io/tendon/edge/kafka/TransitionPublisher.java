package io.tendon.edge.kafka;

import io.tendon.schemas.v1.Transition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.jboss.logging.Logger;

/**
 * Ships finished transitions to Kafka from its own thread. Producers (the episode recorder)
 * hand a transition over with {@link #offer}, which never blocks: when the bounded queue is
 * full the transition is refused and counted. The Kafka producer is idempotent with
 * {@code acks=all} and retries without a deadline, and a send the producer refuses (its buffer
 * full while the broker is away) is retried, so a transition once accepted is delivered, in
 * order and once, when the broker comes back, as long as the process lives. What is still
 * in memory when the process stops with the broker away is lost (a disk spool is the
 * remedy, not built yet).
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
        Transition current = null;
        ProducerRecord<byte[], byte[]> record = null;
        boolean warned = false;
        while (running || current != null || !queue.isEmpty()) {
            if (current == null) {
                try {
                    current = queue.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (current == null) {
                    continue;
                }
                record = new ProducerRecord<>(topic, current.getRobotId().getBytes(StandardCharsets.UTF_8),
                        current.toBuilder().setPublishTimeUnixNanos(System.currentTimeMillis() * 1_000_000L)
                                .build().toByteArray());
            }
            Transition sending = current;
            try {
                producer.send(record, (metadata, error) -> {
                    if (error == null) {
                        delivered.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        LOG.errorf("transition %s/%s/%d not delivered: %s", sending.getRobotId(),
                                sending.getEpisodeId(), sending.getStep(), error.toString());
                    }
                });
                current = null;
                if (warned) {
                    LOG.info("the Kafka producer takes transitions again");
                    warned = false;
                }
            } catch (KafkaException e) {
                // Broker away long enough that the producer's buffer is full or metadata is
                // missing: keep this transition and try again; new ones wait in the queue.
                if (!running) {
                    return;
                }
                if (!warned) {
                    LOG.warnf("the Kafka producer refuses transitions (%s); retrying, %d waiting", e.toString(),
                            queue.size() + 1);
                    warned = true;
                }
            }
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
