/**
 * LibTorch building blocks of the learner: stacked-weight MLP ensembles, target networks,
 * AdamW with gradient-norm clipping, host input buffers, device and thread setup. Nothing here
 * knows about replay, Kafka or CDI; every tensor made per step lives inside the caller's
 * {@code PointerScope}, long-lived ones are made outside any scope. May import no other learner
 * package.
 */
package io.tendon.learner.nn;
