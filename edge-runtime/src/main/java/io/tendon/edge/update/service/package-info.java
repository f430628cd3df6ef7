/**
 * Quarkus wiring of policy updates on the edge: the updates configuration, the receiver thread,
 * the updater and its meters, and the policy events on the episode-events topic. Never on the
 * control or policy thread. Imports {@code update}, {@code kafka}, {@code policy},
 * {@code policy.service}, {@code runtime}, {@code episode}, {@code control} and {@code config}.
 */
package io.tendon.edge.update.service;
