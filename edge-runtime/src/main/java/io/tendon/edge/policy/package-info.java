/**
 * The policy runtime: bundles and their validation, ONNX Runtime sessions with pre-bound
 * tensors, the sampler pieces, the chunk / two-rate / flow modes with residual composition,
 * and the chunk executor the control tick reads. No CDI or configuration framework here; the
 * policy step and the control-side executor allocate nothing once loaded.
 */
package io.tendon.edge.policy;
