/**
 * The transition layout, declared once for both services: its value with bounds
 * ({@link io.tendon.schemas.layout.TransitionLayout}) and its configuration keys
 * ({@link io.tendon.schemas.layout.LayoutConfig}). No ONNX Runtime, no LibTorch, no Quarkus.
 */
package io.tendon.schemas.layout;
