/**
 * Who may call which gRPC method, for both services and their clients: the roles
 * ({@link io.tendon.schemas.access.Role}), the credentials (bearer tokens kept as SHA-256 hashes,
 * client certificates mapped by subject CN) and their one configuration group
 * ({@link io.tendon.schemas.access.AccessConfig}), the method-to-role rules, and the gRPC server
 * interceptor that enforces them. Plain Java and grpc-api: no Quarkus, no Kafka.
 */
package io.tendon.schemas.access;
