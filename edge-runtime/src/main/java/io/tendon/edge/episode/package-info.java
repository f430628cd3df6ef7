/**
 * Experience as the learner sees it: policy steps grouped into Transition messages of H
 * steps, episode markers, and rewards people assign. Runs off the control thread.
 */
package io.tendon.edge.episode;
