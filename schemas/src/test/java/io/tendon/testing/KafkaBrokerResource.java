package io.tendon.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at the JVM's real in-process Kafka broker. The broker
 * outlives each test class (it is shared by the whole test JVM), so {@link #stop()} leaves
 * it running.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        KafkaBroker broker = KafkaBroker.shared();
        return Map.of("kafka.bootstrap.servers", broker.bootstrapServers());
    }

    @Override
    public void stop() {
        // Shared with the other test classes of this JVM; stopped at JVM exit.
    }
}
