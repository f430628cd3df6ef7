/**
 * What the edge's log lines say about where they come from: the robot id, the running episode and
 * the policy version in each record's MDC ({@code robot_id}, {@code episode_id},
 * {@code policy_version}), for the console pattern and for JSON logging alike. Updated off the
 * control thread (which never logs); imports {@code step}, {@code episode} and JBoss logging.
 */
package io.tendon.edge.logging;
