package io.tendon.learner.publish;

import io.tendon.learner.export.VerifiedExport;
import io.tendon.schemas.update.PolicySigning;
import io.tendon.schemas.update.UpdateParts;
import io.tendon.schemas.v1.PolicyUpdate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;

/**
 * Signs verified exports and sends them as PolicyUpdate parts on the policy-updates topic, key
 * = policy id (so every part lands in one partition, in order). Parts are cut so that a record
 * stays within {@code maxMessageBytes}. With a transactional producer all parts of one update go
 * out in one Kafka transaction: a read_committed receiver sees all of them or none, and a second
 * learner with the same transactional id fences this one (its next publish fails and says so). A
 * version is marked published only after the transaction committed.
 */
public final class PolicyPublisher {

    private final String policyId;
    private final String topic;
    private final SigningKey key;
    private final VersionStore versions;
    private final Producer<byte[], byte[]> producer;
    private final int maxMessageBytes;
    private final Duration sendTimeout;
    private final boolean transactional;

    /** A publisher on a plain (idempotent, non-transactional) producer. */
    public PolicyPublisher(String policyId, String topic, SigningKey key, VersionStore versions,
            Producer<byte[], byte[]> producer, int maxMessageBytes, Duration sendTimeout) {
        this(policyId, topic, key, versions, producer, maxMessageBytes, sendTimeout, false);
    }

    /**
     * @param transactional true when {@code producer} has a transactional id and
     *                      {@code initTransactions()} was called: each update is one transaction
     */
    public PolicyPublisher(String policyId, String topic, SigningKey key, VersionStore versions,
            Producer<byte[], byte[]> producer, int maxMessageBytes, Duration sendTimeout, boolean transactional) {
        this.policyId = policyId;
        this.topic = topic;
        this.key = key;
        this.versions = versions;
        this.producer = producer;
        this.maxMessageBytes = maxMessageBytes;
        this.sendTimeout = sendTimeout;
        this.transactional = transactional;
    }

    public String policyId() {
        return policyId;
    }

    /** The version the next export must carry (persisted now; a refused export leaves a gap). */
    public long reserveVersion() throws IOException {
        return versions.reserve();
    }

    public long lastPublishedVersion() {
        return versions.lastPublished();
    }

    public VersionStore versions() {
        return versions;
    }

    public SigningKey key() {
        return key;
    }

    /** Splits and signs a verified export. */
    public SignedPolicyUpdate sign(VerifiedExport export) {
        if (!export.policyId().equals(policyId)) {
            throw new IllegalArgumentException("export is for policy '" + export.policyId() + "', this publisher's is '"
                    + policyId + "'");
        }
        if (export.version() <= versions.lastPublished() || export.version() > versions.lastReserved()) {
            throw new IllegalArgumentException("version " + export.version() + " was not reserved after the last"
                    + " published version " + versions.lastPublished());
        }
        byte[] bytes = export.bytes();
        if (!Arrays.equals(PolicySigning.sha256(bytes), export.sha256())) {
            throw new IllegalStateException("export bytes no longer match their verified SHA-256");
        }
        try {
            return new SignedPolicyUpdate(UpdateParts.sign(policyId, export.version(), export.graph(), bytes,
                    export.provenance(), key.keyId(), key::sign, maxMessageBytes));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tendon.publish.max-message-bytes=" + maxMessageBytes + ": "
                    + e.getMessage(), e);
        }
    }

    /** Signs and sends; returns the parts sent once the broker acknowledged all of them. */
    public SignedPolicyUpdate publish(VerifiedExport export) throws PublishException {
        SignedPolicyUpdate update = sign(export);
        send(update);
        return update;
    }

    /** Sends every part and waits for the broker's acknowledgements, then marks the version published. */
    public void send(SignedPolicyUpdate update) throws PublishException {
        byte[] recordKey = policyId.getBytes(StandardCharsets.UTF_8);
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        boolean inTransaction = false;
        try {
            if (transactional) {
                producer.beginTransaction();
                inTransaction = true;
            }
            for (PolicyUpdate part : update.parts()) {
                acks.add(producer.send(new ProducerRecord<>(topic, recordKey, part.toByteArray())));
            }
            if (transactional) {
                producer.commitTransaction();
                inTransaction = false;
            }
            long deadline = System.nanoTime() + sendTimeout.toNanos();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            versions.markPublished(update.version());
        } catch (ExecutionException e) {
            if (fenced(e)) {
                throw fencedException(update, e);
            }
            throw new PublishException("the broker refused version " + update.version() + ": " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new PublishException("no acknowledgement for version " + update.version() + " within " + sendTimeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while publishing version " + update.version(), e);
        } catch (IOException | RuntimeException e) {
            if (fenced(e)) {
                throw fencedException(update, e);
            }
            throw new PublishException("could not publish version " + update.version() + ": " + e.getMessage(), e);
        } finally {
            if (inTransaction) {
                abort();
            }
        }
    }

    /** A newer producer with this transactional id exists: Kafka says so in one of two ways. */
    private static boolean fenced(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    private static PublishException fencedException(SignedPolicyUpdate update, Exception e) {
        return new PublishException("another learner with the same transactional id took over; this one no longer"
                + " publishes (version " + update.version() + " was not sent)", e);
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            // Fenced or broken: the transaction is gone either way; the next publish says why.
        }
    }

}
