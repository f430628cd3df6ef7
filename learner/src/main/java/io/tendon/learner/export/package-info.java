/**
 * ONNX export of the learner's networks (the residual, the BC-trained head) with tribuo-util-onnx
 * plus the operators it lacks, and the check that ONNX Runtime reproduces the LibTorch forward
 * pass before anything may be published: only {@link io.tendon.learner.export.ExportVerifier}
 * can make a {@link io.tendon.learner.export.VerifiedExport}. May import nn, policy and the wire
 * schemas; no Kafka or CDI.
 */
package io.tendon.learner.export;
