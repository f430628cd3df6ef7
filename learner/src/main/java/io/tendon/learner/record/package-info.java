/**
 * A transition as the learner holds it once decoded, its wire decoder and validator, the sink
 * contract every consumer of transitions implements, why a record is refused, how an episode ended.
 * May import config (the layout) and the wire schemas only: ingest, demo, quality and replay use it.
 */
package io.tendon.learner.record;
