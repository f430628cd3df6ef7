/**
 * The edge service's own configuration ({@code tendon.edge.*}), declared once with units and
 * bounds and validated at start-up. The control loop's and the simulator's parameters are
 * declared in their framework-free packages instead; the transition layout in the schemas
 * module. Imports nothing of the edge.
 */
package io.tendon.edge.config;
