/**
 * The learner service; no classes live here. Its packages import only packages listed before them:
 * config, checkpoint, nn, policy, record, quality, demo, kafka, export, replay, publish, algo,
 * ingest, train, grpc ({@code PackageCyclesTest} fails on any cycle between them).
 */
package io.tendon.learner;
