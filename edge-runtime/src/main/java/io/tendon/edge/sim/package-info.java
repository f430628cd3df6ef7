/**
 * The built-in simulator for the reference task (peg-in-hole with a roughly known hole), its
 * scripted expert and the episode runner that drives the control loop against it. Pure Java
 * like the control package: no framework, no logging, no I/O, nothing allocated per tick.
 */
package io.tendon.edge.sim;
