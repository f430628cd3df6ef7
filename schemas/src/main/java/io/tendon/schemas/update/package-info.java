/**
 * The policy-update contract both sides must agree on: the signing string, key ids and Ed25519
 * verification ({@link io.tendon.schemas.update.PolicySigning}), the trusted keys, and the
 * reassembler and verifier of updates from their parts. Plain Java and protobuf: no ONNX Runtime,
 * no LibTorch, no Quarkus.
 */
package io.tendon.schemas.update;
