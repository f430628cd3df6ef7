/**
 * The real-time path: everything the control tick runs (admittance, safety, target hand-over,
 * pacing). No framework, no logging, no I/O, no locks and no allocation inside a tick;
 * objects are allocated while configuring and reused.
 */
package io.tendon.edge.control;
