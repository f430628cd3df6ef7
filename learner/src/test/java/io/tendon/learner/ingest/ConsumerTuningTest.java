package io.tendon.learner.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tendon.learner.LearnerTestConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

class ConsumerTuningTest {

    @Test
    void crcChecksAreOnByDefaultAndFetchSizesMatchConsumerPerformance() {
        var tuning = IngestService.consumerTuning(LearnerTestConfig.of().ingest());
        assertEquals(true, tuning.get(ConsumerConfig.CHECK_CRCS_CONFIG));
        assertEquals(1_048_576, tuning.get(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG));
        assertEquals(2_097_152, tuning.get(ConsumerConfig.RECEIVE_BUFFER_CONFIG));
    }

    @Test
    void crcChecksCanBeTurnedOff() {
        var tuning = IngestService.consumerTuning(LearnerTestConfig.of("tendon.ingest.check-crcs", "false").ingest());
        assertEquals(false, tuning.get(ConsumerConfig.CHECK_CRCS_CONFIG));
    }
}
