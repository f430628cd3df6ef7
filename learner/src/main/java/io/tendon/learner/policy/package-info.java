/**
 * The frozen base policy as the learner runs it: the bundle's head graph through ONNX Runtime,
 * batched, feeding state slices (and noise) by input name. Also the minimal bundle reading
 * (manifest.json and the head file). May import the wire schemas only, no other learner package.
 */
package io.tendon.learner.policy;
