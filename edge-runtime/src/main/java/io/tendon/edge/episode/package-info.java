/**
 * Experience as the learner sees it, from the simulator or a real robot alike: policy steps
 * grouped into Transition messages of H steps, episode markers, and rewards people assign. Runs
 * off the control thread (the step dispatcher). Imports {@code step}, {@code control},
 * {@code kafka}, {@code config} and the policy service (for the policy's own chunks).
 */
package io.tendon.edge.episode;
