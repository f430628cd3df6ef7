/**
 * Demonstration files: length-delimited Transition protobufs loaded into replay through the
 * same decoder and validator as the Kafka ingest path. May import record only; no Kafka.
 */
package io.tendon.learner.demo;
