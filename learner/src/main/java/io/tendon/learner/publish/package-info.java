/**
 * Signed policy updates: Ed25519 keys (file, Kubernetes secret or a generated development key),
 * persisted strictly increasing versions, PolicyUpdate parts cut to the broker's message limit
 * with SHA-256 and signature, the Kafka publisher, the publishing cadence, and the verification
 * a receiver runs. The publisher accepts only a {@link io.tendon.learner.export.VerifiedExport}.
 * May import export, checkpoint and the wire schemas; never train.
 */
package io.tendon.learner.publish;
