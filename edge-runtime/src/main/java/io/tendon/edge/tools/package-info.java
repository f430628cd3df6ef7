/** Command-line tools around the control loop (run with Maven profiles, see README). */
package io.tendon.edge.tools;
