#!/usr/bin/env bash
# A private single-node Slurm cluster (munge + slurmctld + slurmd on 127.0.0.1) for the Slurm tests.
#
#   scripts/slurm/cluster.sh up      install the packages when missing, configure, start, wait until idle
#   scripts/slurm/cluster.sh down    stop the daemons this script started (by the PIDs in their pid files)
#   scripts/slurm/cluster.sh env     print `export SLURM_CONF=…` for clients (sbatch, squeue, mfd)
#
# No systemd, no cgroups, no system-wide slurm.conf: everything lives in $SLURM_CI_DIR (default
# /tmp/mfd-slurm), including a private munged running as root with its own key and socket. Both
# commands are idempotent. Facts behind each setting: /work/shared/reference/slurm-single-node.md
# (Debian 12, Slurm 22.05): one Key=Value per line, proctrack/linuxproc, CR_Core without memory,
# jobcomp/filetxt so `sacct -c` keeps job history without slurmdbd, batch_sched_delay=0.
set -euo pipefail

DIR=${SLURM_CI_DIR:-/tmp/mfd-slurm}
PORT=${SLURM_CI_PORT:-6817}
CONF=$DIR/slurm.conf

log() { echo "slurm-ci: $*" >&2; }

# The pid in a pid file, if that process is alive.
alive_pid() {
  local file=$1 pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file" 2>/dev/null || true)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

install_packages() {
  local missing="" p
  for p in slurmctld slurmd slurm-client munge; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  [ -z "$missing" ] && return 0
  log "installing:$missing"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  # shellcheck disable=SC2086
  $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 ||
    { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends $missing; }
}

write_config() {
  local host node
  host=$(hostname -s)
  # The node's real CPUs and memory, as slurmd itself sees them (first line of `slurmd -C`).
  node=$(slurmd -C | head -n 1)
  cat >"$CONF" <<EOF
ClusterName=mfdci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
AuthInfo=socket=$DIR/munge/munge.sock
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/jobcomp.txt
MailProg=/bin/true
SchedulerParameters=batch_sched_delay=0
ReturnToService=2
$node NodeAddr=127.0.0.1
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

up() {
  install_packages
  mkdir -p "$DIR/munge" "$DIR/state" "$DIR/spool"
  # munged refuses a socket directory that is not searchable by everyone.
  chmod 755 "$DIR" "$DIR/munge"
  export SLURM_CONF=$CONF
  if alive_pid "$DIR/slurmctld.pid" >/dev/null && alive_pid "$DIR/slurmd.pid" >/dev/null &&
    sinfo -h -o %t 2>/dev/null | grep -qx idle; then
    log "already running ($CONF)"
    return 0
  fi
  if ! alive_pid "$DIR/munge/munged.pid" >/dev/null; then
    [ -f "$DIR/munge/munge.key" ] || mungekey -c -k "$DIR/munge/munge.key"
    chmod 600 "$DIR/munge/munge.key"
    munged --force --socket="$DIR/munge/munge.sock" --key-file="$DIR/munge/munge.key" \
      --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/munge/munged.log" --seed-file="$DIR/munge/munged.seed"
  fi
  write_config
  alive_pid "$DIR/slurmctld.pid" >/dev/null || slurmctld -f "$CONF"
  alive_pid "$DIR/slurmd.pid" >/dev/null || slurmd -f "$CONF"
  local waited=0
  until sinfo -h -o %t 2>/dev/null | grep -qx idle; do
    if [ "$waited" -ge 60 ]; then
      log "the node did not become idle within 60 s; last log lines:"
      tail -n 20 "$DIR/slurmctld.log" "$DIR/slurmd.log" >&2 || true
      exit 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  log "up: SLURM_CONF=$CONF ($(sinfo -h -o '%P %D %t %c CPUs'))"
}

down() {
  export SLURM_CONF=$CONF
  if [ -f "$CONF" ] && alive_pid "$DIR/slurmctld.pid" >/dev/null; then
    scancel --full --user="$(id -un)" 2>/dev/null || true
  fi
  local file pid
  for file in "$DIR/slurmd.pid" "$DIR/slurmctld.pid" "$DIR/munge/munged.pid"; do
    pid=$(alive_pid "$file") || continue
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  done
  log "down"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
