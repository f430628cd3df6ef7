/**
 * Quarkus wiring of the policy runtime: its configuration (tendon.policy.*), the policy thread,
 * and its Micrometer metrics (tendon.edge.policy.*). The runtime itself lives in
 * {@code io.tendon.edge.policy} and knows nothing of CDI.
 */
package io.tendon.edge.policy.service;
