/**
 * Policy updates on the robot, after the contract's reassembler verified them: the cache of
 * verified updates on disk (boot without a broker), the shadow check against recent observations,
 * and the updater that decides which version runs, swaps it in between two policy ticks and rolls
 * it back on trouble. No framework; never on the control or policy thread. Imports
 * {@code policy} and {@code control} (maths only).
 */
package io.tendon.edge.update;
