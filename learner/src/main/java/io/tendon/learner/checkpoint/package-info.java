/**
 * Crash-safe files: a file replaced atomically, and checkpoints as directories of parts made
 * current by one atomic pointer. May import no other learner package, and no Kafka or CDI.
 */
package io.tendon.learner.checkpoint;
