package io.tendon.edge.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.edge.spool.TransitionSpool;
import io.tendon.schemas.v1.Transition;
import io.tendon.testing.Transitions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher's producer fails for good (authentication refused, fenced, an unknown error): it
 * is closed and created again after a back-off that grows, nothing spins, and every transition
 * still arrives, in order, with at most the unacknowledged window sent twice.
 */
class ProducerRecoveryTest {

    @TempDir
    Path dir;

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    private static List<Long> steps(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        List<Long> steps = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : records) {
            Transition t = Transition.parseFrom(r.value());
            steps.add(t.getStep());
            assertEquals("arm-9", new String(r.key()), "keyed by robot id");
            assertTrue(t.getPublishTimeUnixNanos() > 0, "stamped when handed over");
        }
        return steps;
    }

    @Test
    void aFatalErrorInACallbackRecreatesTheProducerAndNothingIsLost() throws Exception {
        List<MockProducer<byte[], byte[]>> made = new CopyOnWriteArrayList<>();
        List<Long> created = new CopyOnWriteArrayList<>();
        // The first two producers hold their records and then fail authentication; the third works.
        java.util.function.Supplier<Producer<byte[], byte[]>> factory = () -> {
            created.add(System.nanoTime());
            MockProducer<byte[], byte[]> p = new MockProducer<>(made.size() >= 2, null, new ByteArraySerializer(),
                    new ByteArraySerializer());
            made.add(p);
            return p;
        };
        TransitionSpool spool = new TransitionSpool(dir, 1 << 20, 1L << 30, TransitionSpool.Fsync.NEVER);
        try (TransitionPublisher publisher = new TransitionPublisher(factory, "t", spool,
                new TransitionPublisher.Settings(1000, 64, 100_000_000L, 400_000_000L, 0))) {
            for (int i = 0; i < 40; i++) {
                assertTrue(publisher.offer(Transitions.valid("arm-9", "ep-r", i).build()));
            }
            await("the first producer holds records", () -> made.size() == 1 && made.get(0).history().size() > 0);
            await("all 40 handed to it", () -> made.get(0).history().size() == 40);
            made.get(0).completeNext(); // one acknowledged
            made.get(0).errorNext(new AuthenticationException("password rejected"));
            await("a second producer", () -> made.size() == 2);
            await("the second got the records again", () -> made.get(1).history().size() == 39);
            made.get(1).errorNext(new AuthorizationException("no WRITE on the topic"));
            await("a third producer", () -> made.size() == 3);
            await("all delivered", () -> publisher.delivered() == 40);
            assertEquals(2, publisher.recreated());
            assertEquals(2, publisher.producerFailures());
            List<Long> third = steps(made.get(2).history());
            List<Long> expected = new ArrayList<>();
            for (long i = 1; i < 40; i++) {
                expected.add(i);
            }
            assertEquals(expected, third, "the third producer sent everything not acknowledged, in order, once");
            assertEquals(0, steps(made.get(0).history()).get(0), "the acknowledged one is not sent again");
            long firstGap = created.get(1) - created.get(0);
            long secondGap = created.get(2) - created.get(1);
            assertTrue(firstGap >= 100_000_000L, "back-off before the first re-creation: " + firstGap);
            assertTrue(secondGap >= 200_000_000L, "and it doubles: " + secondGap);
            assertEquals(0, spool.pending());
        }
    }

    @Test
    void aProducerThatKeepsFailingIsRetriedWithBoundedBackoffNotInALoop() throws Exception {
        AtomicInteger creations = new AtomicInteger();
        java.util.function.Supplier<Producer<byte[], byte[]>> factory = () -> {
            creations.incrementAndGet();
            MockProducer<byte[], byte[]> p = new MockProducer<>(true, null, new ByteArraySerializer(),
                    new ByteArraySerializer());
            p.sendException = new AuthenticationException("still rejected");
            return p;
        };
        TransitionSpool spool = new TransitionSpool(dir, 1 << 20, 1L << 30, TransitionSpool.Fsync.NEVER);
        TransitionPublisher publisher = new TransitionPublisher(factory, "t", spool,
                new TransitionPublisher.Settings(1000, 64, 50_000_000L, 200_000_000L, 0));
        for (int i = 0; i < 5; i++) {
            publisher.offer(Transitions.valid("arm-9", "ep-f", i).build());
        }
        Thread.sleep(1500);
        // 50 + 100 + 200 + 200 + ... ms: about 8 attempts in 1.5 s, not thousands.
        assertTrue(creations.get() >= 4 && creations.get() <= 12, "producers created: " + creations.get());
        assertEquals(0, publisher.delivered());
        assertEquals(5, spool.pending(), "the transitions wait in the spool");
        publisher.close(java.time.Duration.ofMillis(100));
        Set<Long> resent = new LinkedHashSet<>();
        try (TransitionSpool reopened = new TransitionSpool(dir, 1 << 20, 1L << 30, TransitionSpool.Fsync.NEVER)) {
            var r = reopened.next();
            while (r != null) {
                resent.add(r.sequence());
                r = reopened.next();
            }
        }
        assertEquals(5, resent.size(), "and are still there for the next start");
    }
}
