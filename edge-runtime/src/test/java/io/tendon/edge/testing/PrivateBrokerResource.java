package io.tendon.edge.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tendon.testing.KafkaBroker;
import java.util.Map;

/**
 * A Kafka broker of one test class's own (not the JVM's shared one), for tests that stop and
 * restart it under the running application; {@link #broker()} hands it to the test.
 */
public class PrivateBrokerResource implements QuarkusTestResourceLifecycleManager {

    private static volatile KafkaBroker broker;

    public static KafkaBroker broker() {
        return broker;
    }

    @Override
    public Map<String, String> start() {
        broker = KafkaBroker.startPrivate();
        return Map.of("kafka.bootstrap.servers", broker.bootstrapServers());
    }

    /** Started after the JVM's shared broker resource, so its bootstrap servers win. */
    @Override
    public int order() {
        return 1000;
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
