package io.tendon.edge.kafka;

import com.google.protobuf.CodedOutputStream;
import io.tendon.edge.spool.SpoolRecord;
import io.tendon.edge.spool.TransitionSpool;
import io.tendon.schemas.v1.Transition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Ships finished transitions to Kafka from its own thread ({@code tendon-publisher}), through the
 * on-disk {@link TransitionSpool}. The recorder hands a transition over with {@link #offer}, which
 * never blocks: when the bounded hand-off queue is full the transition is refused and counted.
 *
 * <p>The publisher thread encodes each transition once (stamping its publish time), appends it to
 * the spool and writes it to the file, then sends what the spool holds, oldest first, keeping at
 * most {@code maxInFlight} records unacknowledged with the idempotent producer ({@code acks=all},
 * no delivery deadline). A broker acknowledgement removes the record from the spool. While the
 * broker is away the producer's window fills and transitions simply stay in the spool; when it
 * returns, or when the edge restarts, the spool is sent in order. A record the broker refuses as
 * such (too large, invalid) is given up and counted; any other producer failure (fenced,
 * authentication or authorisation, an unknown error) closes the producer, and a new one is created
 * after a back-off that doubles up to a bound, sending again from the oldest unacknowledged record
 * (the learner drops the copies by their ids). Nothing here runs on the control thread, and no
 * thread spins: the publisher waits on the hand-off queue between rounds.
 */
public final class TransitionPublisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TransitionPublisher.class);
    private static final int PUBLISH_TIME_FIELD = 18;
    private static final int BATCH = 256;

    /** How the publisher paces and recovers. */
    public record Settings(int queueCapacity, int maxInFlight, long recreateBackoffNanos, long maxRecreateBackoffNanos,
            long fsyncIntervalNanos) {
    }

    private record Offered(Transition transition, long offerNanos) {
    }

    private record Ack(long generation, long sequence, Exception error) {
    }

    private final Supplier<Producer<byte[], byte[]>> producers;
    private final String topic;
    private final TransitionSpool spool;
    private final Settings settings;
    private final BlockingQueue<Offered> queue;
    private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final Thread syncThread;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong recreated = new AtomicLong();
    private final AtomicLong producerFailures = new AtomicLong();
    private volatile boolean running = true;
    private volatile LongConsumer ackLatency = n -> { };

    // In flight: spool sequences in send order, done flags (publisher thread only).
    private final long[] flightSequence;
    private final boolean[] flightDone;
    // The generation each window entry was sent in: an answer counts only for the attempt it answers.
    private final long[] flightGeneration;
    // After a retry from a record in the middle of the window: records below it are still in the
    // producer (which retries them itself, in order), so the spool's re-read skips them.
    private long skipBelow;
    private final int flightMask;
    private long flightHead;
    private long flightTail;
    // Offer times of live records, by sequence (written before send, read by the producer's callback).
    private final long[] offerSequence = new long[1 << 16];
    private final long[] offerNanos = new long[1 << 16];

    private Producer<byte[], byte[]> producer;
    private long generation;
    private long backoffNanos;
    private long createAtNanos;
    private SpoolRecord unsent;
    private long pausedUntilNanos;
    private volatile boolean sendStalled;
    private static final long RETRY_PAUSE_NANOS = 250_000_000L;
    private volatile long lastError;

    public TransitionPublisher(Supplier<Producer<byte[], byte[]>> producers, String topic, TransitionSpool spool,
            Settings settings) {
        this.producers = producers;
        this.topic = topic;
        this.spool = spool;
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        int flight = Integer.highestOneBit(Math.max(1, settings.maxInFlight() - 1)) << 1;
        this.flightSequence = new long[flight];
        this.flightDone = new boolean[flight];
        this.flightGeneration = new long[flight];
        this.flightMask = flight - 1;
        this.backoffNanos = settings.recreateBackoffNanos();
        java.util.Arrays.fill(offerSequence, -1);
        this.thread = new Thread(this::run, "tendon-publisher");
        this.thread.setDaemon(true);
        this.thread.start();
        if (settings.fsyncIntervalNanos() > 0) {
            syncThread = new Thread(this::sync, "tendon-spool-sync");
            syncThread.setDaemon(true);
            syncThread.start();
        } else {
            syncThread = null;
        }
    }

    /** Hands a transition over; false (and counted) when the queue is full. Never blocks. */
    public boolean offer(Transition transition) {
        if (queue.offer(new Offered(transition, System.nanoTime()))) {
            accepted.incrementAndGet();
            return true;
        }
        refused.incrementAndGet();
        return false;
    }

    /** Told, on the producer's thread, how long each live transition took from {@link #offer} to the broker's acknowledgement (ns). */
    public void onAckLatency(LongConsumer listener) {
        ackLatency = listener;
    }

    private void run() {
        Offered[] batch = new Offered[BATCH];
        while (running) {
            try {
                boolean busy = spoolOffers(batch);
                busy |= processAcks();
                busy |= ensureProducer();
                busy |= send();
                if (!running) {
                    break;
                }
                if (!busy) {
                    Offered o = queue.poll(acks.isEmpty() ? 5 : 0, TimeUnit.MILLISECONDS);
                    if (o != null) {
                        spoolOne(o);
                        spool.flush();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (IOException | RuntimeException e) {
                // The spool's disk failed or the producer misbehaved: say so, wait, try again.
                if (lastError++ % 100 == 0) {
                    LOG.errorf(e, "transition publisher: %s", e.toString());
                }
                LockSupport.parkNanos(100_000_000L);
            }
        }
    }

    /** Appends what the hand-off queue holds to the spool and writes it to the file. */
    private boolean spoolOffers(Offered[] batch) throws IOException {
        int n = 0;
        Offered o;
        while (n < batch.length && (o = queue.poll()) != null) {
            batch[n++] = o;
        }
        for (int i = 0; i < n; i++) {
            spoolOne(batch[i]);
            batch[i] = null;
        }
        if (n > 0) {
            spool.flush();
        }
        return n > 0;
    }

    private void spoolOne(Offered o) {
        long seq = spool.append(o.transition().getSourceValue(), encode(o.transition(),
                System.currentTimeMillis() * 1_000_000L));
        int i = (int) (seq & (offerSequence.length - 1));
        offerNanos[i] = o.offerNanos();
        offerSequence[i] = seq;
    }

    /** The transition's bytes with publish_time_unix_nanos set, serialised once. */
    static byte[] encode(Transition t, long publishUnixNanos) {
        int size = t.getSerializedSize();
        byte[] out = new byte[size + CodedOutputStream.computeInt64Size(PUBLISH_TIME_FIELD, publishUnixNanos)];
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        try {
            t.writeTo(c);
            // A field appended after the message's own wins when parsed: this is the publish time.
            c.writeInt64(PUBLISH_TIME_FIELD, publishUnixNanos);
            c.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("encoding into an array of the computed size failed", e);
        }
        return out;
    }

    private boolean processAcks() throws IOException {
        Ack a;
        boolean any = false;
        while ((a = acks.poll()) != null) {
            any = true;
            long at = find(a.sequence(), a.generation());
            if (at < 0) {
                continue; // from an attempt already given up: its record is sent again
            }
            Exception error = a.error();
            if (error == null) {
                flightDone[(int) (at & flightMask)] = true;
                delivered.incrementAndGet();
                backoffNanos = settings.recreateBackoffNanos();
            } else if (error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException
                    || error instanceof InvalidRecordException) {
                LOG.errorf("transition %d refused by the broker, given up: %s", a.sequence(), error.toString());
                flightDone[(int) (at & flightMask)] = true;
                failed.incrementAndGet();
            } else if (error instanceof RetriableException) {
                // No metadata in time (the broker is away): this record never entered the producer;
                // send it again, and everything sent after it, later. The records before it are in
                // the producer, which retries them itself (delivery.timeout.ms is unbounded): sending
                // them again would put them on the topic twice.
                LOG.debugf("transition %d not sent (%s): sending again from it", a.sequence(), error.toString());
                retryFrom(at);
                pausedUntilNanos = System.nanoTime() + RETRY_PAUSE_NANOS;
            } else {
                LOG.errorf("transition producer failed (%s): it is closed and created again", error.toString());
                advanceAcknowledged();
                discardProducer();
            }
            advanceAcknowledged();
        }
        return any;
    }

    private void advanceAcknowledged() throws IOException {
        long records = 0;
        long last = -1;
        while (flightHead < flightTail && flightDone[(int) (flightHead & flightMask)]) {
            last = flightSequence[(int) (flightHead & flightMask)];
            flightHead++;
            records++;
        }
        if (last >= 0) {
            spool.acknowledge(last, records, System.nanoTime());
        }
    }

    /** Forgets the window in flight (its late answers are ignored) and reads the spool again from the oldest unacknowledged record. */
    private void restartWindow() {
        generation++;
        flightHead = flightTail;
        unsent = null;
        skipBelow = 0;
        spool.rewind();
    }

    /**
     * Forgets the window from position {@code at} on (their late answers are ignored) and reads the
     * spool again from that record; the records before it stay in flight.
     */
    private void retryFrom(long at) {
        long from = flightSequence[(int) (at & flightMask)];
        generation++;
        flightTail = at;
        unsent = null;
        skipBelow = from;
        spool.rewind();
    }

    /** Window position of the attempt that sent {@code sequence} in {@code gen}; -1 when given up. */
    private long find(long sequence, long gen) {
        for (long i = flightHead; i < flightTail; i++) {
            int k = (int) (i & flightMask);
            if (flightSequence[k] == sequence && flightGeneration[k] == gen) {
                return i;
            }
        }
        return -1;
    }

    /** Closes a failed producer; a new one comes after the back-off, and sends from the oldest unacknowledged record. */
    private void discardProducer() {
        producerFailures.incrementAndGet();
        Producer<byte[], byte[]> p = producer;
        producer = null;
        if (p != null) {
            try {
                p.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debugf("closing the failed producer: %s", e);
            }
        }
        restartWindow();
        createAtNanos = System.nanoTime() + backoffNanos;
        LOG.warnf("a new transition producer in %d ms", backoffNanos / 1_000_000);
        backoffNanos = Math.min(settings.maxRecreateBackoffNanos(), backoffNanos * 2);
    }

    private boolean ensureProducer() {
        if (producer != null || System.nanoTime() < createAtNanos) {
            return false;
        }
        try {
            producer = producers.get();
            if (generation > 0) {
                recreated.incrementAndGet();
            }
            return true;
        } catch (RuntimeException e) {
            LOG.errorf("could not create the transition producer: %s", e.toString());
            createAtNanos = System.nanoTime() + backoffNanos;
            backoffNanos = Math.min(settings.maxRecreateBackoffNanos(), backoffNanos * 2);
            producerFailures.incrementAndGet();
            return false;
        }
    }

    /** Hands spooled records to the producer, oldest first, up to the in-flight window. */
    private boolean send() throws IOException {
        boolean any = false;
        if (System.nanoTime() < pausedUntilNanos) {
            return false;
        }
        while (producer != null && flightTail - flightHead < settings.maxInFlight()) {
            SpoolRecord r = unsent != null ? unsent : spool.next();
            if (r == null) {
                break;
            }
            if (r.sequence() < skipBelow) {
                continue; // still in the producer from before the retry
            }
            unsent = r;
            long gen = generation;
            long seq = r.sequence();
            int oi = (int) (seq & (offerSequence.length - 1));
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, robotKey(r.payload()), r.payload());
            try {
                producer.send(record, (metadata, error) -> {
                    if (error == null && offerSequence[oi] == seq) {
                        ackLatency.accept(System.nanoTime() - offerNanos[oi]);
                    } else if (error instanceof RetriableException) {
                        sendStalled = true;
                    }
                    acks.add(new Ack(gen, seq, error));
                    LockSupport.unpark(thread);
                });
            } catch (TimeoutException e) {
                // No metadata within max.block.ms (the broker is away): keep the record, try later.
                return any;
            } catch (KafkaException | IllegalStateException e) {
                LOG.errorf("transition producer failed on send (%s): it is closed and created again", e.toString());
                discardProducer();
                return true;
            }
            unsent = null;
            flightSequence[(int) (flightTail & flightMask)] = seq;
            flightDone[(int) (flightTail & flightMask)] = false;
            flightGeneration[(int) (flightTail & flightMask)] = gen;
            flightTail++;
            any = true;
            if (sendStalled) {
                // The send waited max.block.ms for metadata and failed (the broker is away): stop
                // this round, the answers come through processAcks and the window starts again later.
                sendStalled = false;
                break;
            }
        }
        return any;
    }

    /** The record key: the robot id (field 1 of Transition), read from the encoded bytes. */
    static byte[] robotKey(byte[] transition) {
        try {
            com.google.protobuf.CodedInputStream in = com.google.protobuf.CodedInputStream.newInstance(transition);
            int tag;
            while ((tag = in.readTag()) != 0) {
                if (tag == (Transition.ROBOT_ID_FIELD_NUMBER << 3 | 2)) {
                    return in.readStringRequireUtf8().getBytes(StandardCharsets.UTF_8);
                }
                in.skipField(tag);
            }
        } catch (IOException e) {
            // fall through: no key
        }
        return new byte[0];
    }

    private void sync() {
        while (running) {
            LockSupport.parkNanos(settings.fsyncIntervalNanos());
            try {
                spool.force();
            } catch (RuntimeException e) {
                LOG.errorf("forcing the spool to disk: %s", e.toString());
            }
        }
    }

    public long accepted() {
        return accepted.get();
    }

    public long refused() {
        return refused.get();
    }

    /** Transitions acknowledged by the broker (a record sent again after a producer was replaced counts again). */
    public long delivered() {
        return delivered.get();
    }

    /** Transitions the broker refused as such (too large, invalid), given up. */
    public long failed() {
        return failed.get();
    }

    /** Producers created again after a failure. */
    public long recreated() {
        return recreated.get();
    }

    /** Producer failures that closed it (and failed attempts to create one). */
    public long producerFailures() {
        return producerFailures.get();
    }

    /** Transitions accepted and not yet acknowledged: waiting in the hand-off queue or in the spool. */
    public long pending() {
        return queue.size() + spool.pending();
    }

    public TransitionSpool spool() {
        return spool;
    }

    /** Spools what is queued, waits up to 10 s for acknowledgements of what is in flight, then closes. */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    public void close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        // Let the thread spool the queue and deliver what it can until the spool is empty or time is up.
        while (System.nanoTime() < deadline && (queue.size() > 0 || spool.pending() > 0) && thread.isAlive()) {
            LockSupport.parkNanos(20_000_000L);
        }
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(Math.max(1000, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (syncThread != null) {
            LockSupport.unpark(syncThread);
        }
        Producer<byte[], byte[]> p = producer;
        if (p != null) {
            p.close(Duration.ofSeconds(1));
        }
        try {
            // Whatever is still queued goes to the spool, for the next start.
            Offered o;
            while ((o = queue.poll()) != null) {
                spoolOne(o);
            }
            spool.close();
        } catch (IOException e) {
            LOG.errorf("closing the spool: %s", e.toString());
        }
    }
}
