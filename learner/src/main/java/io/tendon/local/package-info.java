/**
 * The local main job: starts a real Kafka broker, the learner and the edge runtime as
 * separate processes on this machine, checks they are connected and reports progress. A
 * developer tool that ships in the learner's jar; it uses no Quarkus and no CDI, and may import
 * no io.tendon.learner package.
 */
package io.tendon.local;
