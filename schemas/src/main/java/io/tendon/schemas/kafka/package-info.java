/** What both services do alike with their Kafka clients: their meters. */
package io.tendon.schemas.kafka;
