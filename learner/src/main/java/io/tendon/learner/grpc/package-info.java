/**
 * The learner's gRPC services: status (what it holds and what it is doing) and diagnostics (the
 * live critic's values). The top of the learner: may import config, ingest, replay and train.
 */
package io.tendon.learner.grpc;
