package io.tendon.learner.kafka;

import io.quarkus.runtime.StartupEvent;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.config.TopicsConfig;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

/**
 * Creates the project's topics when they are missing, with the partitioning and retention of
 * the configuration. Where an operator (Strimzi's KafkaTopic) owns the topics, set
 * {@code tendon.topics.create=false}.
 */
@ApplicationScoped
public class TopicProvisioner {

    private static final Logger LOG = Logger.getLogger(TopicProvisioner.class);
    /** Starts before the ingest loop, which observes at a later priority. */
    public static final int STARTUP_PRIORITY = 10;

    @Inject
    LearnerConfig config;

    @Inject
    KafkaClients clients;

    void onStart(@Observes @Priority(STARTUP_PRIORITY) StartupEvent event) throws Exception {
        if (config.topics().create()) {
            ensureTopics();
        }
    }

    /** Creates the missing topics; existing ones are left untouched. */
    public void ensureTopics() throws Exception {
        TopicsConfig topics = config.topics();
        String retention = topics.transitionRetentionHours() < 0 ? "-1"
                : Long.toString(TimeUnit.HOURS.toMillis(topics.transitionRetentionHours()));
        List<NewTopic> wanted = List.of(
                new NewTopic(topics.transitions(), topics.transitionPartitions(), (short) -1)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, retention)),
                new NewTopic(topics.deadLetter(), 1, (short) -1)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1")),
                // Compaction would drop parts of an update that share a key; keep a week.
                new NewTopic(topics.policyUpdates(), 1, (short) -1)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(TimeUnit.DAYS.toMillis(7)),
                                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(1 << 20))),
                new NewTopic(topics.episodeEvents(), topics.transitionPartitions(), (short) -1)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, retention)));
        try (Admin admin = Admin.create(clients.common())) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (NewTopic topic : wanted) {
                if (!existing.contains(topic.name())) {
                    missing.add(topic);
                }
            }
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                    LOG.infof("created topics %s", missing.stream().map(NewTopic::name).toList());
                } catch (ExecutionException e) {
                    // Another learner created them between our listing and our request.
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
    }
}
