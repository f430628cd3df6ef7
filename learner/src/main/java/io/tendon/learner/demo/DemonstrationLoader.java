package io.tendon.learner.demo;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tendon.learner.record.DeadLetterReason;
import io.tendon.learner.record.DecodedTransition;
import io.tendon.learner.record.Rejection;
import io.tendon.learner.record.TransitionDecoder;
import io.tendon.learner.record.TransitionSink;
import io.tendon.learner.record.TransitionValidator;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Loads a demonstration file into replay. Format: a sequence of Transition protobufs, each
 * preceded by its length as a varint, exactly what {@code Transition.writeDelimitedTo(out)}
 * writes in a loop (and {@code Transition.parseDelimitedFrom(in)} reads). Records are usually
 * source DEMO; each goes to the table of its own source. Every record passes the same decoder
 * and validator as the Kafka path (no record key, so no key check); an invalid record is
 * counted by reason, logged and skipped; a duplicate (robot, episode, step) is skipped, so
 * loading a file twice, or after a checkpoint that holds it, adds nothing. A file that ends
 * inside a record is an error naming the record; the records before it stay loaded.
 */
public final class DemonstrationLoader {

    private static final Logger LOG = Logger.getLogger(DemonstrationLoader.class);
    /** A length prefix beyond this is a damaged file, not a transition. */
    private static final int MAX_RECORD_BYTES = 64 << 20;
    private static final int LOGGED_REJECTIONS = 10;

    private final TransitionDecoder decoder = new TransitionDecoder();
    private final DecodedTransition decoded;
    private final TransitionValidator validator;
    private final TransitionSink sink;
    private final Map<DeadLetterReason, Counter> rejectedCounters = new EnumMap<>(DeadLetterReason.class);
    private final Counter loadedCounter;

    /** What one file contributed. */
    public record Report(String file, long records, long loaded, long duplicates, Map<DeadLetterReason, Long> rejected) {

        public long rejectedTotal() {
            return rejected.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    public DemonstrationLoader(DecodedTransition scratch, TransitionValidator validator, TransitionSink sink,
            MeterRegistry registry) {
        this.decoded = scratch;
        this.validator = validator;
        this.sink = sink;
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            rejectedCounters.put(reason, Counter.builder("tendon.learner.demo.rejected").tag("reason", reason.name())
                    .description("Records of demonstration files refused by validation").register(registry));
        }
        loadedCounter = Counter.builder("tendon.learner.demo.loaded")
                .description("Records of demonstration files inserted into replay").register(registry);
    }

    public Report load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return load(in, file.toString());
        }
    }

    /** Loads every record of {@code in}; {@code name} names the source in messages. */
    public Report load(InputStream source, String name) throws IOException {
        InputStream in = new BufferedInputStream(source, 1 << 16);
        Map<DeadLetterReason, Long> rejected = new EnumMap<>(DeadLetterReason.class);
        long records = 0;
        long loaded = 0;
        long duplicates = 0;
        long position = 0;
        byte[] buf = new byte[8192];
        while (true) {
            int first = in.read();
            if (first < 0) {
                break;
            }
            int length;
            try {
                length = CodedInputStream.readRawVarint32(first, in);
            } catch (IOException e) {
                throw new IOException(name + ": record " + (records + 1) + " at byte " + position
                        + " has a damaged length prefix", e);
            }
            if (length < 0 || length > MAX_RECORD_BYTES) {
                throw new IOException(name + ": record " + (records + 1) + " at byte " + position + " claims "
                        + Integer.toUnsignedString(length) + " bytes; the file is damaged");
            }
            if (buf.length < length) {
                buf = new byte[Math.max(length, buf.length * 2)];
            }
            try {
                readFully(in, buf, length);
            } catch (EOFException e) {
                throw new IOException(name + ": record " + (records + 1) + " at byte " + position
                        + " is truncated (the file ends inside it); " + loaded + " records before it were loaded");
            }
            records++;
            position += CodedOutputStream.computeUInt32SizeNoTag(length) + length;
            Rejection rejection;
            try {
                decoder.decode(buf, 0, length, decoded);
                rejection = validator.check(decoded, null);
            } catch (TransitionDecoder.MalformedException e) {
                rejection = new Rejection(DeadLetterReason.UNPARSEABLE, e.getMessage());
            }
            if (rejection != null) {
                rejected.merge(rejection.reason(), 1L, Long::sum);
                rejectedCounters.get(rejection.reason()).increment();
                if (rejected.values().stream().mapToLong(Long::longValue).sum() <= LOGGED_REJECTIONS) {
                    LOG.warnf("%s: record %d refused (%s): %s", name, records, rejection.reason(), rejection.detail());
                }
            } else if (sink.insert(decoded, true)) {
                loaded++;
                loadedCounter.increment();
            } else {
                duplicates++;
            }
        }
        Report report = new Report(name, records, loaded, duplicates, Collections.unmodifiableMap(rejected));
        LOG.infof("demonstrations %s: %d records, %d loaded, %d already held, %d refused %s", name, records, loaded,
                duplicates, report.rejectedTotal(), rejected);
        return report;
    }

    private static void readFully(InputStream in, byte[] buf, int length) throws IOException {
        int off = 0;
        while (off < length) {
            int n = in.read(buf, off, length - off);
            if (n < 0) {
                throw new EOFException();
            }
            off += n;
        }
    }
}
