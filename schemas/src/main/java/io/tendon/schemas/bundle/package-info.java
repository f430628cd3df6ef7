/**
 * Policy bundles as both services read them: the strict manifest reader, the checks that need no
 * ONNX Runtime (graph-against-manifest checks stay with the runtime that opens the graphs), and
 * the tensor-role contract. No ONNX Runtime, no LibTorch, no Quarkus.
 */
package io.tendon.schemas.bundle;
