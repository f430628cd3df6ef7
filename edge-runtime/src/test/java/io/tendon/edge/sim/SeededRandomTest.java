package io.tendon.edge.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SeededRandomTest {

    @Test
    void sameStreamAsSplittableRandomAndReseedableInPlace() {
        SeededRandom mine = new SeededRandom(0);
        for (long seed : new long[] {0, 1, 42, -7, Long.MAX_VALUE, 0x1234_5678_9abcL}) {
            mine.reseed(seed);
            SplittableRandom jdk = new SplittableRandom(seed);
            for (int i = 0; i < 1000; i++) {
                assertEquals(jdk.nextLong(), mine.nextLong());
                assertEquals(jdk.nextDouble(), mine.nextDouble());
                assertEquals(jdk.nextDouble(-0.005, 0.005), mine.nextDouble(-0.005, 0.005));
            }
        }
    }

    @Test
    void gaussiansHaveUnitVariance() {
        SeededRandom r = new SeededRandom(3);
        double sum = 0;
        double sq = 0;
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            sum += g;
            sq += g * g;
        }
        assertEquals(0, sum / n, 0.01);
        assertEquals(1, sq / n, 0.01);
    }
}
