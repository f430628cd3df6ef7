package io.tendon.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * A broker of one test class's own that requires SASL ({@link KafkaBroker#startSasl()}); the
 * application authenticates as {@link KafkaBroker#SCRAM_USER} with SCRAM-SHA-512 through the ordinary
 * {@code kafka.*} keys, exactly as a production configuration would.
 */
public class SaslKafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    private static volatile KafkaBroker broker;

    public static KafkaBroker broker() {
        return broker;
    }

    @Override
    public Map<String, String> start() {
        broker = KafkaBroker.startSasl();
        broker.createTopics(1, "tendon.transitions", "tendon.transitions.dlq", "tendon.episode-events", "tendon.policy-updates");
        Map<String, String> p = new HashMap<>();
        p.put("kafka.bootstrap.servers", broker.bootstrapServers());
        KafkaBroker.saslScram(KafkaBroker.SCRAM_USER, KafkaBroker.SCRAM_PASSWORD)
                .forEach((k, v) -> p.put("kafka." + k, v.toString()));
        return p;
    }

    /** After the JVM's shared broker resource, so these settings win. */
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
