#!/bin/sh
# Installs the edge runtime on a robot computer, as root, from this directory (edge-runtime/src/main/dist):
#
#   sudo ./install.sh ../../../target/tendon-edge-runtime-0.1.0-runner   # the native executable
#   sudo ./install.sh ../../../target/quarkus-app                        # or the JVM build
#
# What goes where, and with which owner and mode (README "The edge on the robot"):
#   /opt/tendon/bin/tendon-edge-runtime         the native executable             root 0755
#   /opt/tendon/edge/                           or the JVM build (quarkus-app)    root 0755/0644
#   /opt/tendon/bin/tendon-pin-control-thread   ExecStartPost of the unit         root 0755
#   /etc/systemd/system/tendon-edge.service     the unit (+ .d/jvm.conf for a JVM) root 0644
#   /etc/tendon/edge.properties                 this robot's settings             root 0644
#   /etc/tendon/trusted-keys/                   the learner's public keys         root 0755, keys 0644
#   /etc/tendon/credentials/                    the Kafka connection and password root 0700
#   /etc/tendon/credentials/kafka.properties                                      root 0600
# Existing edge.properties and kafka.properties are kept (a re-install updates the software only).
# The service user "tendon" owns nothing here: it can read the settings and keys, change none of
# them, and gets the credentials only through systemd (LoadCredential). Its only writable place is
# /var/lib/tendon-edge, created by systemd (StateDirectory).
#
# DESTDIR=/some/root installs under that root instead (image builders, the tests): then no user is
# created and systemd is not told.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:?usage: install.sh NATIVE_EXECUTABLE | QUARKUS_APP_DIRECTORY}"
root="${DESTDIR:-}"
owner=""
if [ "$(id -u)" = 0 ]; then
  owner="-o root -g root"
fi

# shellcheck disable=SC2086  # $owner is empty or two options
install -d -m 0755 $owner "$root/opt/tendon/bin" "$root/etc/systemd/system" "$root/etc/tendon" \
  "$root/etc/tendon/trusted-keys"
# shellcheck disable=SC2086
install -d -m 0700 $owner "$root/etc/tendon/credentials"

if [ -d "$build" ]; then
  # The JVM build: the quarkus-app directory, started by java through the drop-in.
  [ -f "$build/quarkus-run.jar" ] || { echo "$build has no quarkus-run.jar" >&2; exit 1; }
  rm -rf "$root/opt/tendon/edge"
  cp -R "$build" "$root/opt/tendon/edge"
  chmod -R u=rwX,go=rX "$root/opt/tendon/edge"
  [ -z "$owner" ] || chown -R root:root "$root/opt/tendon/edge"
  # shellcheck disable=SC2086
  install -d -m 0755 $owner "$root/etc/systemd/system/tendon-edge.service.d"
  # shellcheck disable=SC2086
  install -m 0644 $owner "$here/systemd/tendon-edge.service.d/jvm.conf" "$root/etc/systemd/system/tendon-edge.service.d/jvm.conf"
else
  # shellcheck disable=SC2086
  install -m 0755 $owner "$build" "$root/opt/tendon/bin/tendon-edge-runtime"
  rm -f "$root/etc/systemd/system/tendon-edge.service.d/jvm.conf"
fi
# shellcheck disable=SC2086
install -m 0755 $owner "$here/bin/tendon-pin-control-thread" "$root/opt/tendon/bin/tendon-pin-control-thread"
# shellcheck disable=SC2086
install -m 0644 $owner "$here/systemd/tendon-edge.service" "$root/etc/systemd/system/tendon-edge.service"
if [ ! -e "$root/etc/tendon/edge.properties" ]; then
  # shellcheck disable=SC2086
  install -m 0644 $owner "$here/etc/edge.properties" "$root/etc/tendon/edge.properties"
fi
if [ ! -e "$root/etc/tendon/credentials/kafka.properties" ]; then
  # shellcheck disable=SC2086
  install -m 0600 $owner "$here/etc/kafka.properties.example" "$root/etc/tendon/credentials/kafka.properties"
fi
# Whatever was there before: the keys and the credentials back to their modes.
chmod 0755 "$root/etc/tendon/trusted-keys"
find "$root/etc/tendon/trusted-keys" -type f -exec chmod 0644 {} +
chmod 0700 "$root/etc/tendon/credentials"
find "$root/etc/tendon/credentials" -type f -exec chmod 0600 {} +

if [ -z "$root" ]; then
  id tendon >/dev/null 2>&1 || useradd --system --home-dir /var/lib/tendon-edge --no-create-home \
    --shell /usr/sbin/nologin tendon
  systemctl daemon-reload
  echo "installed. Next: this robot's settings in /etc/tendon/edge.properties, its Kafka password and"
  echo "the cluster CA in /etc/tendon/credentials/ (kafka.properties, kafka-ca.crt), the learner's"
  echo "public keys in /etc/tendon/trusted-keys/, then: systemctl enable --now tendon-edge"
fi
