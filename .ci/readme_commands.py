#!/usr/bin/env python3
"""Runs every command README.md shows, in a short form, from the repository root.

Each shell line in README.md's ```bash blocks must match one rule below; a command nobody gave a
short form fails the run, so the README cannot gain a command CI never tries. Rules say how to
try a command: run it (optionally rewritten to a short form), start a service and wait for it to
come up, or skip it with the reason (a placeholder host, a running stack it needs).

Usage: readme_commands.py [--list]   (--list: show the plan, run nothing)
"""
import os
import re
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (pattern on the README line, action, argument). Actions:
#   run      run the command after applying the (regex, replacement) rewrites in the argument
#   service  start it, wait until its output contains the marker in the argument, then stop it
#   skip     not run; the argument says why (and what covers it instead)
RULES = [
    (r"^git clone ", "skip", "CI runs on a fresh clone already"),
    (r"^mvn -B verify\b", "skip", ".ci/run runs it just before this script"),
    (r"^mvn -B -Plocal package\b", "run", [(r" -Dtendon.local.args=.*$", ""), (r"$", " -Dtendon.local.args=--help")]),
    # The loop itself runs in LoopIT (mvn -B verify); here the launcher script, its build check and
    # the job's option parsing, with the jars mvn -B verify just built.
    (r"^\./run-local\b", "run", [(r"^\./run-local.*$", "TENDON_SKIP_BUILD=1 ./run-local --help")]),
    (r"^mvn -B -pl edge-runtime -am package -DskipTests$", "run", []),
    (r"^mvn -B -q -Ptrajectory ", "run", [(r"--duration \d+", "--duration 1")]),
    (r"^mvn -B (-o )?-Pbench -pl edge-runtime -am verify", "run",
     [(r" -o ", " "), (r"$", " -Dtendon.bench.jitter-seconds=1 -Dtendon.bench.bridge-rounds=1"
                                 " -Dtendon.bench.bridge-seconds=2 -Dtendon.bench.publish-records=10000"
                                 " -Dtendon.bench.drain-records=5000 -Dtendon.bench.latency-seconds=5")]),
    (r"^mvn -B -Pbench -pl learner -am verify", "run",
     [(r"$", " -Dbench.records=20000 -Dbench.runs=1 -Dbench.warmup-runs=0 -Dbench.live.seconds=1"
             " -Dtendon.bench.rss-steps=100")]),
    (r"^java -Dkafka.bootstrap.servers=broker-1", "skip", "an example with placeholder broker hosts"),
    (r"^java (-D\S+ )*-jar edge-runtime/target/quarkus-app/quarkus-run.jar", "service", "started in"),
    (r"^curl ", "skip", "needs the running local stack; LocalStackIT scrapes the same endpoints"),
    (r"^kcat ", "skip", "optional extra; LocalStackIT lists the topics with Kafka's TopicCommand"),
    # Deploying: what needs a cluster, a Docker engine, GraalVM or a robot is checked by tests instead.
    (r"^mvn -B -pl learner -am package -DskipTests$", "run", []),
    (r"^mvn -B -Pgpu ", "skip", "several GB of CUDA natives; no GPU on CI"),
    (r"^docker build ", "skip", "no Docker engine on CI; KubernetesManifestsTest checks the Dockerfiles against the pods"),
    (r"^openssl ", "skip", "DeploymentWalkthroughTest runs them in a temporary directory"),
    (r"^(kubectl|helm) ", "skip", "needs a cluster; KubernetesManifestsTest and DeploymentWalkthroughTest render and check"
                                  " what is applied and named"),
    (r"^sudo ", "skip", "on a robot computer as root; EdgeDistributionTest runs install.sh under DESTDIR"),
    (r"^mvn -B -Pnative", "skip", "needs GraalVM or Mandrel; NativeConfigTest checks the configuration (.ci/run also"
                                  " under -Plinux-arm64)"),
]


def readme_commands():
    """Shell lines inside ```bash blocks, continuation lines joined, comments stripped."""
    commands = []
    in_block = False
    pending = ""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        for line in f:
            stripped = line.rstrip("\n")
            if stripped.startswith("```"):
                in_block = stripped.strip() == "```bash" if not in_block else False
                continue
            if not in_block:
                continue
            text = pending + stripped.strip()
            if text.endswith("\\"):
                pending = text[:-1].rstrip() + " "
                continue
            pending = ""
            text = re.sub(r"\s+#.*$", "", text).strip()
            if text and not text.startswith("#"):
                commands.append(text)
    return commands


def plan():
    steps = []
    unknown = []
    for command in readme_commands():
        for pattern, action, arg in RULES:
            if re.search(pattern, command):
                steps.append((command, action, arg))
                break
        else:
            unknown.append(command)
    return steps, unknown


def rewritten(command, rewrites):
    for pattern, replacement in rewrites:
        command = re.sub(pattern, replacement, command, count=1)
    return command


def run(command):
    print(f"\n== run: {command}", flush=True)
    started = time.time()
    result = subprocess.run(command, shell=True, cwd=ROOT)
    print(f"== exit {result.returncode} after {time.time() - started:.0f} s", flush=True)
    return result.returncode == 0


def service(command, marker, timeout=120):
    print(f"\n== service: {command} (until '{marker}')", flush=True)
    process = subprocess.Popen(command, shell=True, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    deadline = time.time() + timeout
    seen = []
    ok = False
    try:
        while time.time() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            seen.append(line)
            if marker in line:
                ok = True
                break
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    if not ok:
        print("".join(seen[-40:]))
    print(f"== {'up' if ok else 'NOT up'}", flush=True)
    return ok


def main():
    steps, unknown = plan()
    if unknown:
        print("README.md shows commands .ci/readme_commands.py has no short form for:")
        for command in unknown:
            print("  " + command)
        return 1
    if "--list" in sys.argv:
        for command, action, arg in steps:
            print(f"{action:8s} {command}" + (f"   ({arg})" if action == "skip" else ""))
        return 0
    failed = []
    done = set()
    for command, action, arg in steps:
        if action == "skip":
            print(f"\n== skip: {command} ({arg})")
            continue
        if action == "run":
            command = rewritten(command, arg)
        if command in done:
            print(f"\n== already ran: {command}")
            continue
        done.add(command)
        ok = run(command) if action == "run" else service(command, arg)
        if not ok:
            failed.append(command)
    if failed:
        print("\nREADME commands that failed in their short form:")
        for command in failed:
            print("  " + command)
        return 1
    print(f"\nAll {len(steps)} README commands pass in their short form.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
