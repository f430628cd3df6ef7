package io.tendon.edge.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * An append-only, crash-safe log of encoded transitions between the recorder and the broker.
 * Every transition is appended here before it is handed to Kafka and leaves once the broker has
 * acknowledged it, so whatever the broker has not taken survives a broker outage and a crash of
 * the edge, and is sent, in order, when the broker is back or the edge restarts.
 *
 * <p><b>Format.</b> Segment files {@code NNNNNNNNNNNNNNNNNNNN.seg} (the first sequence, 20 digits)
 * of records {@code [length int32][crc32c int32][sequence int64][source int8][payload]}, big-endian,
 * the CRC-32C over sequence, source and payload. A new segment begins once the active one reaches
 * the segment size, and at every start (an old segment is never appended to again). The highest
 * sequence the broker acknowledged is kept in {@code acked} (written atomically about every 200 ms
 * and when a segment is deleted); records at or below it are not sent again after a restart, and
 * those acknowledged later than the last write are sent twice (the learner drops the second copy by
 * its ids).
 *
 * <p><b>Crashes.</b> At start every segment is read through and checked: a record cut short or
 * failing its CRC ends the segment there (the tail is cut off, counted as a torn tail with its
 * bytes); the records before it are kept. Appends are written to the file (the page cache) before
 * they are sent, so a process crash (kill -9) loses nothing; whether a power cut does depends on
 * the fsync policy ({@link Fsync}).
 *
 * <p><b>Overflow.</b> Beyond the size cap the oldest segment that still holds ROLLOUT records is
 * rewritten without them (their DEMO and INTERVENTION records keep their sequences and order);
 * when only DEMO and INTERVENTION data are left, the oldest segment is deleted. Every record lost
 * that way (and not yet acknowledged) is counted by source.
 *
 * <p>Single-threaded: the publisher thread calls everything, except {@link #force()}, which the
 * fsync thread may call at any time.
 */
public final class TransitionSpool implements AutoCloseable {

    /** When appended records are forced to the device. */
    public enum Fsync {
        /** After every append batch, on the appending thread. */
        ALWAYS,
        /** Every interval, by whoever calls {@link #force()} (the publisher's fsync thread). */
        INTERVAL,
        /** Never by the spool: the operating system writes back in its own time. */
        NEVER
    }

    static final int HEADER = 17;
    static final int MAX_PAYLOAD = 64 << 20;
    private static final String SUFFIX = ".seg";
    private static final String ACKED = "acked";
    /** Source numbers of transition.proto: DEMO and INTERVENTION survive overflow longest. */
    static final int DEMO = 1;
    static final int INTERVENTION = 2;
    static final int ROLLOUT = 3;
    private static final int TAIL_CACHE_RECORDS = 4096;

    private final Path dir;
    private final long segmentBytes;
    private final long maxBytes;
    private final Fsync fsync;
    private final List<Segment> segments = new ArrayList<>();
    private Segment active;
    private volatile FileChannel activeChannel;
    private final ByteBuffer writeBuffer;
    private final ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.BIG_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private final List<SpoolRecord> pendingWrites = new ArrayList<>();

    private long nextSequence;
    private long ackedUpTo;
    private long ackedPersisted;
    private long lastAckWriteNanos;
    /** Every record below this has been handed out by {@link #next()} since the last rewind. */
    private long readSequence;
    private Segment readSegment;
    private long readPosition;
    private final ArrayDeque<SpoolRecord> tail = new ArrayDeque<>();
    /** True while every record not yet read is in {@link #tail} (or unwritten in pendingWrites). */
    private boolean readerAtTail;
    private long bytes;

    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong[] dropped = {new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()};
    private final AtomicLong tornTails = new AtomicLong();
    private final AtomicLong tornBytes = new AtomicLong();
    private final AtomicLong forces = new AtomicLong();
    private volatile long pending;
    private volatile long recovered;

    private static final class Segment {
        Path path;
        final long firstSequence;
        long lastSequence = -1;
        long size;
        long records;
        boolean keepOnly;
        FileChannel writer;

        Segment(Path path, long firstSequence) {
            this.path = path;
            this.firstSequence = firstSequence;
        }
    }

    /**
     * Opens (creating) the spool in {@code dir}, checks every segment and cuts torn tails, and
     * positions the reader after the last acknowledged record.
     *
     * @param segmentBytes size at which a segment is closed
     * @param maxBytes     size cap of all segments together
     */
    public TransitionSpool(Path dir, long segmentBytes, long maxBytes, Fsync fsync) throws IOException {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.maxBytes = maxBytes;
        this.fsync = fsync;
        this.writeBuffer = ByteBuffer.allocateDirect((int) Math.min(4 << 20, Math.max(1 << 16, segmentBytes)));
        Files.createDirectories(dir);
        Path acked = dir.resolve(ACKED);
        if (Files.exists(acked)) {
            try {
                ackedUpTo = Long.parseLong(Files.readString(acked).trim());
            } catch (NumberFormatException e) {
                ackedUpTo = 0; // a torn acked file: resend from the start, the learner drops copies
            }
        }
        ackedPersisted = ackedUpTo;
        List<Path> files = new ArrayList<>();
        try (var list = Files.list(dir)) {
            list.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().forEach(files::add);
        }
        long maxSeen = ackedUpTo;
        long unacked = 0;
        for (Path p : files) {
            Segment s = scan(p);
            if (s.records == 0) {
                Files.deleteIfExists(p);
                continue;
            }
            segments.add(s);
            bytes += s.size;
            maxSeen = Math.max(maxSeen, s.lastSequence);
        }
        // Fully acknowledged segments need not wait for anything.
        deleteAcknowledged();
        for (Segment s : segments) {
            unacked += countAbove(s, ackedUpTo);
        }
        nextSequence = maxSeen + 1;
        readSequence = ackedUpTo + 1;
        recovered = unacked;
        pending = unacked;
        readerAtTail = segments.isEmpty();
    }

    private static long parseFirst(Path p) {
        String name = p.getFileName().toString();
        return Long.parseLong(name.substring(0, 20));
    }

    /** Reads a segment through, cutting it at the first broken record. */
    private Segment scan(Path p) throws IOException {
        Segment s = new Segment(p, parseFirst(p));
        s.keepOnly = p.getFileName().toString().endsWith(".k" + SUFFIX);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long pos = 0;
            ByteBuffer h = ByteBuffer.allocate(HEADER);
            while (pos < size) {
                h.clear();
                if (readFully(ch, h, pos) < HEADER) {
                    break;
                }
                h.flip();
                int len = h.getInt();
                int sum = h.getInt();
                long seq = h.getLong();
                byte source = h.get();
                if (len < 0 || len > MAX_PAYLOAD || pos + HEADER + len > size) {
                    break;
                }
                ByteBuffer payload = ByteBuffer.allocate(len);
                if (readFully(ch, payload, pos + HEADER) < len) {
                    break;
                }
                if (checksum(seq, source, payload.array(), len) != sum) {
                    break;
                }
                s.records++;
                s.lastSequence = seq;
                pos += HEADER + len;
            }
            if (pos < size) {
                tornTails.incrementAndGet();
                tornBytes.addAndGet(size - pos);
                ch.truncate(pos);
                ch.force(true);
            }
            s.size = pos;
        }
        return s;
    }

    private static int readFully(FileChannel ch, ByteBuffer into, long position) throws IOException {
        int total = 0;
        while (into.hasRemaining()) {
            int n = ch.read(into, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private int checksum(long seq, byte source, byte[] payload, int len) {
        crc.reset();
        for (int i = 7; i >= 0; i--) {
            crc.update((int) (seq >>> (8 * i)) & 0xff);
        }
        crc.update(source);
        crc.update(payload, 0, len);
        return (int) crc.getValue();
    }

    // ---- appending ----------------------------------------------------------------------------

    /**
     * Appends a record (buffered until {@link #flush()}); returns its sequence. The caller must
     * flush before it hands the record to anyone who could acknowledge it.
     *
     * @param source the transition's Source number
     */
    public long append(int source, byte[] payload) {
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("a record of " + payload.length + " bytes exceeds " + MAX_PAYLOAD);
        }
        SpoolRecord r = new SpoolRecord(nextSequence++, source, payload);
        pendingWrites.add(r);
        appended.incrementAndGet();
        pending++;
        return r.sequence();
    }

    /** Writes the appended records to the active segment (and forces them with fsync=always). */
    public void flush() throws IOException {
        if (pendingWrites.isEmpty()) {
            return;
        }
        for (SpoolRecord r : pendingWrites) {
            int size = HEADER + r.payload().length;
            if (active == null || active.size + size > segmentBytes && active.size > 0) {
                writeOut();
                rotate(r.sequence());
            }
            if (writeBuffer.remaining() < size) {
                writeOut();
            }
            if (writeBuffer.capacity() < size) {
                ByteBuffer big = ByteBuffer.allocate(size);
                put(big, r);
                big.flip();
                while (big.hasRemaining()) {
                    active.writer.write(big);
                }
            } else {
                put(writeBuffer, r);
            }
            active.size += size;
            active.records++;
            active.lastSequence = r.sequence();
            if (r.source() == ROLLOUT) {
                active.keepOnly = false;
            }
            bytes += size;
            if (readerAtTail) {
                if (tail.size() >= TAIL_CACHE_RECORDS) {
                    tail.clear();
                    readerAtTail = false;
                } else {
                    tail.addLast(r);
                }
            }
        }
        writeOut();
        pendingWrites.clear();
        if (fsync == Fsync.ALWAYS) {
            active.writer.force(false);
            forces.incrementAndGet();
        }
        enforceCap();
    }

    private void put(ByteBuffer b, SpoolRecord r) {
        byte[] p = r.payload();
        b.putInt(p.length);
        b.putInt(checksum(r.sequence(), (byte) r.source(), p, p.length));
        b.putLong(r.sequence());
        b.put((byte) r.source());
        b.put(p);
    }

    private void writeOut() throws IOException {
        writeBuffer.flip();
        while (writeBuffer.hasRemaining()) {
            active.writer.write(writeBuffer);
        }
        writeBuffer.clear();
    }

    private void rotate(long firstSequence) throws IOException {
        if (active != null) {
            if (fsync != Fsync.NEVER) {
                active.writer.force(false);
                forces.incrementAndGet();
            }
            active.writer.close();
            active.writer = null;
        }
        Segment s = new Segment(dir.resolve(String.format("%020d", firstSequence) + SUFFIX), firstSequence);
        s.keepOnly = true;
        s.writer = FileChannel.open(s.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        segments.add(s);
        active = s;
        activeChannel = s.writer;
    }

    /** Forces the active segment to the device (the fsync thread, with fsync=interval). Any thread. */
    public void force() {
        FileChannel ch = activeChannel;
        if (ch == null) {
            return;
        }
        try {
            ch.force(false);
            forces.incrementAndGet();
        } catch (ClosedChannelException e) {
            // Rotated meanwhile: closed segments were forced when they were closed.
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- overflow -----------------------------------------------------------------------------

    private void enforceCap() throws IOException {
        while (bytes > maxBytes) {
            Segment victim = null;
            for (Segment s : segments) {
                if (!s.keepOnly && !inFlight(s)) {
                    victim = s;
                    break;
                }
            }
            if (victim != null) {
                compact(victim);
                continue;
            }
            for (Segment s : segments) {
                if (!inFlight(s) && (s != active || segments.size() > 1)) {
                    victim = s;
                    break;
                }
            }
            if (victim == null) {
                return; // only records in flight (or one segment) left: the cap yields by at most a segment
            }
            drop(victim);
        }
    }

    /** Whether {@code s} holds records handed to the producer and not yet acknowledged. */
    private boolean inFlight(Segment s) {
        return s.firstSequence < readSequence && s.lastSequence > ackedUpTo;
    }

    /** Rewrites {@code s} without its ROLLOUT records. */
    private void compact(Segment s) throws IOException {
        if (s == active) {
            rotate(nextSequence);
        }
        Path to = dir.resolve(String.format("%020d", s.firstSequence) + ".k" + SUFFIX);
        Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
        long kept = 0;
        long keptRecords = 0;
        long last = -1;
        try (FileChannel in = FileChannel.open(s.path, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
            long pos = 0;
            ByteBuffer h = ByteBuffer.allocate(HEADER);
            while (pos < s.size) {
                h.clear();
                readFully(in, h, pos);
                h.flip();
                int len = h.getInt();
                h.getInt();
                long seq = h.getLong();
                byte source = h.get();
                if (source == ROLLOUT) {
                    if (seq > ackedUpTo) {
                        dropped[ROLLOUT].incrementAndGet();
                        pending--;
                    }
                } else {
                    ByteBuffer rec = ByteBuffer.allocate(HEADER + len);
                    readFully(in, rec, pos);
                    rec.flip();
                    while (rec.hasRemaining()) {
                        out.write(rec);
                    }
                    kept += HEADER + len;
                    keptRecords++;
                    last = seq;
                }
                pos += HEADER + len;
            }
            out.force(true);
        }
        Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (!to.equals(s.path)) {
            Files.deleteIfExists(s.path);
        }
        bytes -= s.size - kept;
        s.path = to;
        s.size = kept;
        s.records = keptRecords;
        s.lastSequence = last;
        s.keepOnly = true;
        if (keptRecords == 0) {
            segments.remove(s);
            Files.deleteIfExists(to);
        }
        invalidateReader();
    }

    private void drop(Segment s) throws IOException {
        if (s == active) {
            rotate(nextSequence);
        }
        try (FileChannel in = FileChannel.open(s.path, StandardOpenOption.READ)) {
            long pos = 0;
            ByteBuffer h = ByteBuffer.allocate(HEADER);
            while (pos < s.size) {
                h.clear();
                readFully(in, h, pos);
                h.flip();
                int len = h.getInt();
                h.getInt();
                long seq = h.getLong();
                byte source = h.get();
                if (seq > ackedUpTo) {
                    dropped[Math.max(0, Math.min(3, source))].incrementAndGet();
                    pending--;
                }
                pos += HEADER + len;
            }
        }
        segments.remove(s);
        bytes -= s.size;
        Files.deleteIfExists(s.path);
        invalidateReader();
    }

    private long countAbove(Segment s, long sequence) throws IOException {
        if (s.lastSequence <= sequence) {
            return 0;
        }
        if (s.firstSequence > sequence && !s.keepOnly) {
            return s.records;
        }
        long n = 0;
        try (FileChannel in = FileChannel.open(s.path, StandardOpenOption.READ)) {
            long pos = 0;
            ByteBuffer h = ByteBuffer.allocate(HEADER);
            while (pos < s.size) {
                h.clear();
                readFully(in, h, pos);
                h.flip();
                int len = h.getInt();
                h.getInt();
                if (h.getLong() > sequence) {
                    n++;
                }
                pos += HEADER + len;
            }
        }
        return n;
    }

    // ---- reading ------------------------------------------------------------------------------

    /**
     * The next record to send, in sequence order, or null when every appended (and flushed)
     * record has been handed out since the last {@link #rewind()}.
     */
    public SpoolRecord next() throws IOException {
        if (readerAtTail) {
            SpoolRecord r;
            while ((r = tail.pollFirst()) != null) {
                if (r.sequence() >= readSequence) {
                    readSequence = r.sequence() + 1;
                    return r;
                }
            }
            return null;
        }
        while (true) {
            if (readSegment == null) {
                readSegment = segmentFor(readSequence);
                readPosition = 0;
                if (readSegment == null) {
                    caughtUp();
                    return null;
                }
            }
            Segment s = readSegment;
            if (readPosition >= s.size) {
                int i = segments.indexOf(s);
                if (i < 0) {
                    readSegment = null;
                    continue;
                }
                if (i == segments.size() - 1) {
                    caughtUp();
                    return null;
                }
                readSegment = segments.get(i + 1);
                readPosition = 0;
                continue;
            }
            SpoolRecord r = readAt(s, readPosition);
            if (r == null) {
                // Broken after the start-up check (the disk changed under us): skip the rest.
                tornTails.incrementAndGet();
                tornBytes.addAndGet(s.size - readPosition);
                readPosition = s.size;
                continue;
            }
            readPosition += HEADER + r.payload().length;
            if (r.sequence() >= readSequence) {
                readSequence = r.sequence() + 1;
                return r;
            }
        }
    }

    /** The reader reached the end of the log: from now on new appends are read from memory. */
    private void caughtUp() {
        readerAtTail = true;
        tail.clear();
        readSegment = null;
        closeReadChannel();
    }

    private Segment segmentFor(long sequence) {
        for (Segment s : segments) {
            if (s.lastSequence >= sequence) {
                return s;
            }
        }
        return null;
    }

    private FileChannel readChannel;
    private Path readChannelPath;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(1 << 20);
    private long readBufferStart = -1;

    private void closeReadChannel() {
        if (readChannel != null) {
            try {
                readChannel.close();
            } catch (IOException e) {
                // read-only channel: nothing to lose
            }
            readChannel = null;
            readChannelPath = null;
        }
        readBufferStart = -1;
    }

    /** The record at {@code position} of {@code s}, through a read buffer of 1 MiB; null when broken. */
    private SpoolRecord readAt(Segment s, long position) throws IOException {
        if (!s.path.equals(readChannelPath)) {
            closeReadChannel();
            readChannel = FileChannel.open(s.path, StandardOpenOption.READ);
            readChannelPath = s.path;
        }
        if (!buffered(position, HEADER)) {
            fill(position);
            if (!buffered(position, HEADER)) {
                return null;
            }
        }
        int at = (int) (position - readBufferStart);
        int len = readBuffer.getInt(at);
        int sum = readBuffer.getInt(at + 4);
        long seq = readBuffer.getLong(at + 8);
        byte source = readBuffer.get(at + 16);
        if (len < 0 || len > MAX_PAYLOAD || position + HEADER + len > s.size) {
            return null;
        }
        byte[] payload = new byte[len];
        if (buffered(position, HEADER + len)) {
            readBuffer.get(at + HEADER, payload);
        } else if (readFully(readChannel, ByteBuffer.wrap(payload), position + HEADER) < len) {
            return null;
        }
        if (checksum(seq, source, payload, len) != sum) {
            return null;
        }
        return new SpoolRecord(seq, source, payload);
    }

    private boolean buffered(long position, int length) {
        return readBufferStart >= 0 && position >= readBufferStart
                && position + length <= readBufferStart + readBuffer.limit();
    }

    private void fill(long position) throws IOException {
        readBuffer.clear();
        readFully(readChannel, readBuffer, position);
        readBuffer.flip();
        readBufferStart = position;
    }

    /** Records were removed from disk: the tail cache may hold them too, so read from disk again. */
    private void invalidateReader() {
        closeReadChannel();
        readerAtTail = false;
        tail.clear();
        readSegment = null;
        readPosition = 0;
    }

    /** Hands out everything not yet acknowledged again, from the oldest (after the producer was replaced). */
    public void rewind() {
        readSequence = ackedUpTo + 1;
        readerAtTail = false;
        tail.clear();
        readSegment = null;
        readPosition = 0;
        closeReadChannel();
    }

    /**
     * The broker has every record up to {@code sequence}, {@code records} of them new since the
     * last call (the caller gave up on none below it that it did not count): segments wholly below
     * it are deleted, and the mark is written to disk about every 200 ms.
     */
    public void acknowledge(long sequence, long records, long nowNanos) throws IOException {
        if (sequence <= ackedUpTo) {
            return;
        }
        ackedUpTo = sequence;
        pending = Math.max(0, pending - records);
        int deleted = deleteAcknowledged();
        if (deleted > 0 || nowNanos - lastAckWriteNanos > 200_000_000L) {
            persistAcked(nowNanos);
        }
    }

    /** Records acknowledged since the last write of the mark are written now (at shutdown). */
    public void persistAcked(long nowNanos) throws IOException {
        lastAckWriteNanos = nowNanos;
        if (ackedUpTo == ackedPersisted) {
            return;
        }
        Path tmp = dir.resolve(ACKED + ".tmp");
        Files.writeString(tmp, Long.toString(ackedUpTo) + "\n");
        Files.move(tmp, dir.resolve(ACKED), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        ackedPersisted = ackedUpTo;
    }

    private int deleteAcknowledged() throws IOException {
        int deleted = 0;
        while (!segments.isEmpty()) {
            Segment s = segments.get(0);
            if (s == active || s.lastSequence > ackedUpTo) {
                break;
            }
            segments.remove(0);
            bytes -= s.size;
            Files.deleteIfExists(s.path);
            if (readSegment == s) {
                readSegment = null;
                closeReadChannel();
            }
            deleted++;
        }
        return deleted;
    }

    /** Records in the spool neither acknowledged nor dropped. */
    public long pending() {
        return pending;
    }

    /** Records counted as acknowledged (delivered, or given up on by the caller). */
    public long acknowledgedUpTo() {
        return ackedUpTo;
    }

    // ---- status -------------------------------------------------------------------------------

    /** Records appended since this spool was opened. */
    public long appended() {
        return appended.get();
    }

    /** Records lost to the size cap, of Source {@code source} (1 DEMO, 2 INTERVENTION, 3 ROLLOUT). */
    public long dropped(int source) {
        return dropped[source].get();
    }

    /** Segment tails cut off because a record in them was incomplete or failed its CRC. */
    public long tornTails() {
        return tornTails.get();
    }

    public long tornBytes() {
        return tornBytes.get();
    }

    /** Records found unacknowledged in the spool when it was opened (sent again after a restart). */
    public long recovered() {
        return recovered;
    }

    /** Bytes of all segments. */
    public long bytes() {
        return bytes;
    }

    public int segmentCount() {
        return segments.size();
    }

    /** Times a segment was forced to the device. */
    public long forces() {
        return forces.get();
    }

    @Override
    public void close() throws IOException {
        closeReadChannel();
        flush();
        persistAcked(System.nanoTime());
        if (active != null && active.writer != null) {
            if (fsync != Fsync.NEVER) {
                active.writer.force(false);
            }
            active.writer.close();
            active.writer = null;
            activeChannel = null;
        }
    }
}
