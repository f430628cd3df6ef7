package io.tendon.edge.kafka;

import io.tendon.schemas.update.UpdateAssembler;
import io.tendon.schemas.update.VerifiedUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The edge's policy-update receiver, on its own thread (never the control or policy thread):
 * reads the updates topic (read_committed: a learner's update is one transaction, so half an
 * update is never seen), keeps the records of this robot's policy id, reassembles and verifies
 * them ({@link UpdateAssembler}) and hands each outcome to the {@link Handler}. Offsets are
 * committed only below the first part of any update still incomplete, so a restart re-reads
 * what it would need to finish one.
 */
public final class PolicyUpdateReceiver implements Runnable {

    private static final Logger LOG = Logger.getLogger(PolicyUpdateReceiver.class);

    /** What the receiver hands on, on its thread. */
    public interface Handler {
        void verified(VerifiedUpdate update, long nowNanos);

        void refused(UpdateAssembler.Result result);

        /** Between polls: periodic work (rollback watch, key reload). */
        void tick(long nowNanos);
    }

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final String policyId;
    private final UpdateAssembler assembler;
    private final Handler handler;
    private final Duration poll;
    /** First offset of each incomplete update, by partition and update key. */
    private final Map<TopicPartition, Map<String, Long>> pendingFirstOffsets = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** Parts read (records of this robot's policy id). */
    public final AtomicLong parts = new AtomicLong();
    /** Records of other policy ids, skipped. */
    public final AtomicLong otherPolicies = new AtomicLong();

    /** Consumer settings the receiver needs on top of the application's {@code kafka.*} ones. */
    public static Map<String, Object> consumerConfig(Map<String, Object> kafka, String groupId, String clientId,
            int maxPartBytes) {
        Map<String, Object> c = new HashMap<>(kafka);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A part may be as large as the broker's message limit.
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Math.max(1 << 20, maxPartBytes));
        return c;
    }

    public PolicyUpdateReceiver(Consumer<byte[], byte[]> consumer, String topic, String policyId,
            UpdateAssembler assembler, Handler handler, Duration poll) {
        this.consumer = consumer;
        this.topic = topic;
        this.policyId = policyId;
        this.assembler = assembler;
        this.handler = handler;
        this.poll = poll;
        this.thread = new Thread(this, "tendon-updates");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Stops the thread and closes the consumer. */
    public void stop() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic));
            while (running) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(poll);
                } catch (WakeupException e) {
                    break;
                } catch (KafkaException e) {
                    LOG.warnf("policy update receiver: %s; retrying", e.toString());
                    sleep(1000);
                    continue;
                }
                long now = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    handle(r, now);
                }
                for (UpdateAssembler.Result expired : assembler.expire(now)) {
                    forget(expired.name());
                    handler.refused(expired);
                }
                handler.tick(now);
                commit();
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "policy update receiver stopped");
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debugf("closing the update consumer: %s", e);
            }
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> r, long now) {
        String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
        if (!key.equals(policyId)) {
            otherPolicies.incrementAndGet();
            return;
        }
        parts.incrementAndGet();
        UpdateAssembler.Result result = assembler.offer(r.value(), now);
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        switch (result.kind()) {
            case PENDING -> pendingFirstOffsets.computeIfAbsent(tp, k -> new HashMap<>())
                    .putIfAbsent(result.name(), r.offset());
            case VERIFIED -> {
                forget(result.name());
                handler.verified(result.update(), now);
            }
            case REFUSED -> {
                forget(result.name());
                handler.refused(result);
            }
            default -> {
                // A part of an update already settled: nothing to do.
            }
        }
    }

    private void forget(String updateName) {
        for (Map<String, Long> pending : pendingFirstOffsets.values()) {
            pending.remove(updateName);
        }
    }

    /** Commits each partition's position, held back to the first part of an update still incomplete. */
    private void commit() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : assigned) {
            long position = consumer.position(tp);
            Map<String, Long> pending = pendingFirstOffsets.get(tp);
            if (pending != null) {
                for (Iterator<Long> it = pending.values().iterator(); it.hasNext(); ) {
                    position = Math.min(position, it.next());
                }
            }
            offsets.put(tp, new OffsetAndMetadata(position));
        }
        try {
            consumer.commitAsync(offsets, (o, e) -> {
                if (e != null) {
                    LOG.debugf("committing update offsets: %s", e.toString());
                }
            });
        } catch (KafkaException e) {
            LOG.debugf("committing update offsets: %s", e.toString());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
