/**
 * Writing ONNX graphs from Java on top of tribuo-util-onnx (an optional dependency: only code that
 * writes graphs brings it): the operators it lacks. No ONNX Runtime: graphs are run elsewhere.
 */
package io.tendon.schemas.onnx;
