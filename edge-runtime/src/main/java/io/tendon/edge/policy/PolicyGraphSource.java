package io.tendon.edge.policy;

/**
 * A graph that replaces one of a bundle's (or fills one that arrives by update): its ONNX bytes
 * and, for messages, where it came from ("update v7 residual").
 */
public record PolicyGraphSource(byte[] bytes, String description) {
}
