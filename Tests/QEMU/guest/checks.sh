#!/bin/sh
# Stage 2 of the Warmlane QEMU guest: pid 1 after switch_root. Mounts the pure cgroup v2
# system, runs every check through the static warmlane binary and prints one
# "PASS <name>" or "FAIL <name>: <why>" line per check, then "WLQ-SUMMARY N passed, N failed",
# "WLQ-DONE", and powers off. The host (run-guest-tests.sh) parses these lines.
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs tmpfs /tmp
dmesg -n 1 2>/dev/null          # keep OOM reports off the console we parse
hostname wlq-guest
exec 2>&1

CG=/sys/fs/cgroup
PASSED=0
FAILED=0
up() { cut -d' ' -f1 /proc/uptime; }
echo
echo "INFO guest: kernel $(uname -r), /init after $(up)s, cmdline: $(cat /proc/cmdline)"

# ------------------------------------------------------------------ helpers
wl() { timeout 60 /bin/warmlane --root /run/wl "$@"; }

# check NAME FUNC: FUNC returns 0 for PASS; on failure it has put the reason in WHY.
ONLY=$(sed -n 's/.*wlq\.only=\([^ ]*\).*/\1/p' /proc/cmdline | tr ',' ' ')
check() {
    if [ -n "$ONLY" ]; then case " $ONLY " in *" $2 "*) ;; *) return 0;; esac; fi
    WHY=""
    if "$2"; then
        echo "PASS $1"; PASSED=$((PASSED + 1))
    else
        echo "FAIL $1: ${WHY:-failed}"; FAILED=$((FAILED + 1))
    fi
}
why() { WHY="${WHY:+$WHY; }$*"; }

# expect DIR FILE WANT: compares the first line of a cgroup file.
expect() {
    got=$(head -n1 "$1/$2" 2>&1)
    [ "$got" = "$3" ] && return 0
    why "$2='$got' want '$3'"
    return 1
}

# field ID NAME: one field of `warmlane state` (status, pid).
field() {
    wl state "$1" 2>/dev/null | tr -d ' \n' | sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"}]*\).*/\1/p"
}

# wait_status ID WANT [TENTHS]: polls `warmlane state` until status is WANT.
wait_status() {
    n=0
    while [ $n -lt "${3:-50}" ]; do
        [ "$(field "$1" status)" = "$2" ] && return 0
        sleep 0.1; n=$((n + 1))
    done
    return 1
}

# wait_gone DIR: the kernel may need a moment; warmlane itself should already have removed it.
gone() { [ ! -e "$1" ]; }

# mkb NAME CGROUPSPATH RESOURCES-JSON ARGS-JSON [EXTRA-MOUNT-JSON]
mkb() {
    mkdir -p "/b/$1"
    cgp=""
    [ -n "$2" ] && cgp="\"cgroupsPath\": \"$2\","
    cat > "/b/$1/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "args": $4,
              "env": ["PATH=/bin"], "cwd": "/"},
  "root": {"path": "/rootfs", "readonly": true},
  "hostname": "wl-$1",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755", "size=65536k"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
     "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}${5:+,
    $5}
  ],
  "linux": {$cgp
    "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"},
                   {"type": "network"}, {"type": "cgroup"}],
    "resources": $3
  }
}
EOF
}

# Helper programs inside the container rootfs (a tmpfs copy, writable until containers use it).
cat > /rootfs/bin/hog <<'EOF'
#!/bin/sh
# Doubles a string until the memory cgroup's OOM killer stops it.
exec awk 'BEGIN { s = "x"; while (1) s = s s }'
EOF
cat > /rootfs/bin/forkloop <<'EOF'
#!/bin/sh
# Tries to start 30 sleepers; pids.max must stop it.
i=0
while [ $i -lt 30 ]; do sleep 1000 & i=$((i + 1)); done
echo "forkloop: loop finished"
sleep 1000
EOF
cat > /rootfs/bin/counter <<'EOF'
#!/bin/sh
# Appends one line per iteration to /out/c (bind-mounted from the guest).
while :; do echo x >> /out/c; done
EOF
chmod 755 /rootfs/bin/hog /rootfs/bin/forkloop /rootfs/bin/counter

# ------------------------------------------------------------------ checks
c_env() {
    grep -q "^cgroup2 $CG cgroup2 " /proc/mounts || why "cgroup2 not mounted at $CG"
    if grep -q ' cgroup ' /proc/mounts; then why "a cgroup v1 hierarchy is mounted"; fi
    ctrls=$(cat $CG/cgroup.controllers)
    for c in cpu memory pids; do
        case " $ctrls " in *" $c "*) ;; *) why "controller $c missing from cgroup.controllers ($ctrls)";; esac
    done
    [ -x /bin/warmlane ] || why "no /bin/warmlane"
    [ -z "$WHY" ]
}

c_features() {
    out=$(wl features); rc=$?
    [ $rc = 0 ] || { why "warmlane features rc=$rc: $(echo "$out" | head -3)"; return 1; }
    flat=$(echo "$out" | tr -d ' \n')
    echo "$flat" | grep -q '"ociVersionMin":"1' || why "no ociVersionMin in output"
    echo "$flat" | grep -q '"namespaces":\[[^]]*"cgroup"' || why "cgroup namespace not listed"
    echo "$flat" | grep -q '"cgroup":{[^}]*"v2":true' ||
        why "linux.cgroup does not report v2 on a cgroup v2 host: $(echo "$flat" | grep -o '"cgroup":{[^}]*}')"
    [ -z "$WHY" ]
}

c_namespaces() {
    mkb ns "" null '["sh", "-c", "echo host=$(hostname) pid=$$ net=$(ls /sys/class/net) cg=$(cat /proc/self/cgroup)"]'
    out=$(wl run -b /b/ns wlns); rc=$?
    echo "INFO namespaces: run rc=$rc output: $out"
    [ $rc = 0 ] || why "warmlane run rc=$rc"
    case "$out" in *"host=wl-ns pid=1 net=lo cg=0::/"*) ;; *) why "unexpected output '$out'";; esac
    [ "$(hostname)" = wlq-guest ] || why "guest hostname changed to $(hostname)"
    [ -z "$WHY" ]
}

RES_ABS='{"memory": {"limit": 67108864}, "pids": {"limit": 32},
          "cpu": {"shares": 512, "quota": 50000, "period": 100000},
          "unified": {"memory.high": "50331648"}}'
c_resources_abs() {
    mkb abs /wl/abs "$RES_ABS" '["sleep", "1000"]'
    wl create -b /b/abs wlabs > /tmp/abs.log 2>&1 || { why "create failed: $(cat /tmp/abs.log)"; return 1; }
    d=$CG/wl/abs
    [ -d $d ] || { why "$d does not exist ($(find $CG -type d -name 'abs*'))"; return 1; }
    expect $d memory.max 67108864
    expect $d pids.max 32
    expect $d cpu.weight 20              # 1 + (512-2)*9999/262142
    expect $d cpu.max "50000 100000"
    expect $d memory.high 50331648
    pid=$(field wlabs pid)
    [ "$(cat /proc/$pid/cgroup 2>&1)" = "0::/wl/abs" ] || why "init $pid is in '$(cat /proc/$pid/cgroup 2>&1)'"
    [ -z "$WHY" ]
}
c_delete_created() {
    out=$(wl delete wlabs 2>&1) || why "delete rc=$?: $out"
    gone $CG/wl/abs || why "$CG/wl/abs still exists after delete"
    [ -z "$WHY" ]
}

RES_REL='{"memory": {"limit": 100663296}, "pids": {"limit": 16},
          "cpu": {"shares": 1024, "quota": 20000, "period": 50000},
          "unified": {"memory.high": "83886080", "pids.max": "12"}}'
c_resources_rel() {
    # A relative cgroupsPath is placed under warmlane's own cgroup, which is / for the guest's pid 1.
    mkb rel wl-rel/c2 "$RES_REL" '["sleep", "1000"]'
    wl create -b /b/rel wlrel > /tmp/rel.log 2>&1 || { why "create failed: $(cat /tmp/rel.log)"; return 1; }
    d=$CG/wl-rel/c2
    [ -d $d ] || { why "$d does not exist"; return 1; }
    expect $d memory.max 100663296
    expect $d pids.max 12                # unified overrides linux.resources.pids (applied last)
    expect $d cpu.weight 39              # 1 + (1024-2)*9999/262142
    expect $d cpu.max "20000 50000"
    expect $d memory.high 83886080
    pid=$(field wlrel pid)
    [ "$(cat /proc/$pid/cgroup 2>&1)" = "0::/wl-rel/c2" ] || why "init $pid is in '$(cat /proc/$pid/cgroup 2>&1)'"
    out=$(wl delete wlrel 2>&1) || why "delete rc=$?: $out"
    gone $d || why "$d still exists after delete"
    [ -z "$WHY" ]
}

c_default_path() {
    mkb dflt "" '{"pids": {"limit": 7}}' '["true"]'
    wl create -b /b/dflt wldflt > /tmp/dflt.log 2>&1 || { why "create failed: $(cat /tmp/dflt.log)"; return 1; }
    expect $CG/wldflt pids.max 7
    out=$(wl delete wldflt 2>&1) || why "delete rc=$?: $out"
    gone $CG/wldflt || why "$CG/wldflt still exists after delete"
    [ -z "$WHY" ]
}

c_pids_forkloop() {
    # forkloop dies at the first refused fork; the init survives it and execs a sleeper,
    # so the container keeps running with the sleepers forkloop managed to start.
    mkb pids /wl/pids '{"pids": {"limit": 6}}' '["sh", "-c", "forkloop; echo forkloop-rc=$?; exec sleep 1000"]'
    wl create -b /b/pids wlpids > /tmp/pids.log 2>&1 || { why "create failed: $(cat /tmp/pids.log)"; return 1; }
    wl start wlpids >> /tmp/pids.log 2>&1 || { why "start failed: $(cat /tmp/pids.log)"; return 1; }
    d=$CG/wl/pids
    n=0
    while [ $n -lt 100 ] && ! grep -q forkloop-rc /tmp/pids.log; do sleep 0.1; n=$((n + 1)); done
    sleep 0.2
    max=$(sed -n 's/^max //p' $d/pids.events 2>/dev/null)
    cur=$(cat $d/pids.current 2>&1)
    sleepers=$(wc -w < $d/cgroup.procs)
    echo "INFO pids: pids.current=$cur ($sleepers processes), pids.events max=$max;" \
         "container said: $(grep -i -m1 fork /tmp/pids.log) / $(grep forkloop-rc /tmp/pids.log)"
    [ "${max:-0}" -gt 0 ] || why "pids.events max=$max: no fork was refused"
    [ "$cur" -le 6 ] 2>/dev/null || why "pids.current=$cur exceeds pids.max 6"
    [ "$(field wlpids status)" = running ] || why "container not running after the fork loop: $(cat /tmp/pids.log)"
    grep -q "loop finished" /tmp/pids.log && why "forkloop started all 30 sleepers"
    [ -z "$WHY" ]
}
c_delete_running_force() {
    out=$(wl delete -f wlpids 2>&1) || why "delete -f rc=$?: $out"
    gone $CG/wl/pids || why "$CG/wl/pids still exists after delete -f ($(cat $CG/wl/pids/cgroup.procs 2>&1 | tr '\n' ' '))"
    [ -z "$WHY" ]
}

RES_OOM='{"memory": {"limit": 33554432, "swap": 33554432}}'
c_oom_child() {
    mkb oom /wl/oom "$RES_OOM" '["sh", "-c", "hog; echo hog-rc=$?"]'
    out=$(wl run --keep -b /b/oom wloom); rc=$?
    ev=$(tr '\n' ' ' < $CG/wl/oom/memory.events 2>&1)
    echo "INFO oom: run rc=$rc, output: $out; memory.events: $ev"
    [ $rc = 0 ] || why "run rc=$rc"
    case "$out" in *hog-rc=137*) ;; *) why "hog was not SIGKILLed (output '$out')";; esac
    k=$(sed -n 's/^oom_kill //p' $CG/wl/oom/memory.events 2>/dev/null)
    [ "${k:-0}" -ge 1 ] || why "memory.events oom_kill=${k:-missing}"
    out=$(wl delete wloom 2>&1) || why "delete rc=$?: $out"
    gone $CG/wl/oom || why "$CG/wl/oom still exists after delete"
    [ -z "$WHY" ]
}
c_oom_init() {
    mkb oominit /wl/oominit "$RES_OOM" '["hog"]'
    out=$(wl run -b /b/oominit wloominit 2>&1); rc=$?
    [ $rc = 137 ] || why "warmlane run rc=$rc, want 137 (output: $out)"
    gone $CG/wl/oominit || why "$CG/wl/oominit left behind by run"
    [ -z "$WHY" ]
}

count() { wc -l < /run/pause-out/c; }
# verb_missing OUT: warmlane's answer when a subcommand does not exist.
verb_missing() {
    case "$1" in *"Unknown option"*|*"Unexpected argument"*|*"nknown subcommand"*) return 0;; esac
    return 1
}
c_pause() {
    mkdir -p /run/pause-out; : > /run/pause-out/c
    mkb pause /wl/pause null '["counter"]' \
        '{"destination": "/out", "type": "bind", "source": "/run/pause-out", "options": ["rbind", "rw"]}'
    wl create -b /b/pause wlpause > /tmp/pause.log 2>&1 || { why "create failed: $(cat /tmp/pause.log)"; return 1; }
    wl start wlpause >> /tmp/pause.log 2>&1 || { why "start failed: $(cat /tmp/pause.log)"; return 1; }
    d=$CG/wl/pause
    sleep 0.5
    c0=$(count)
    [ "$c0" -gt 0 ] || { why "counter does not run (c=$c0, log: $(cat /tmp/pause.log))"; return 1; }
    out=$(wl pause wlpause 2>&1); rc=$?
    if [ $rc != 0 ]; then
        verb_missing "$out" && why "warmlane has no 'pause' verb (not implemented in this build)"
        why "warmlane pause rc=$rc: $(echo "$out" | head -2 | tr '\n' ' ')"; return 1
    fi
    st=$(field wlpause status)
    [ "$st" = paused ] || why "state status '$st', want paused"
    expect $d cgroup.freeze 1
    grep -qx 'frozen 1' $d/cgroup.events || why "cgroup.events: $(tr '\n' ' ' < $d/cgroup.events)"
    c1=$(count); sleep 1; c2=$(count)
    [ "$c1" = "$c2" ] || why "counter moved while paused ($c1 -> $c2)"
    echo "INFO pause: counter $c0 before pause, $c1 -> $c2 while paused"
    [ -z "$WHY" ]
}
c_resume() {
    d=$CG/wl/pause
    c1=$(count)
    out=$(wl resume wlpause 2>&1); rc=$?
    if [ $rc != 0 ]; then
        verb_missing "$out" && why "warmlane has no 'resume' verb (not implemented in this build)"
        why "warmlane resume rc=$rc: $(echo "$out" | head -2 | tr '\n' ' ')"; return 1
    fi
    st=$(field wlpause status)
    [ "$st" = running ] || why "state status '$st', want running"
    expect $d cgroup.freeze 0
    grep -qx 'frozen 0' $d/cgroup.events || why "cgroup.events: $(tr '\n' ' ' < $d/cgroup.events)"
    sleep 0.5; c2=$(count)
    [ "$c2" -gt "$c1" ] || why "counter did not move after resume ($c1 -> $c2)"
    echo "INFO resume: counter $c1 -> $c2 after resume"
    [ -z "$WHY" ]
}
c_delete_paused_force() {
    # Pause again (if the verb exists) so delete -f has to thaw a frozen cgroup.
    wl pause wlpause > /dev/null 2>&1
    st=$(field wlpause status)
    [ "$st" = paused ] || why "could not pause the container first (status '$st'), so this is not a paused delete"
    out=$(wl delete -f wlpause 2>&1) || why "delete -f rc=$?: $out"
    gone $CG/wl/pause || why "$CG/wl/pause still exists after delete -f"
    [ -z "$WHY" ]
}

c_delete_after_sigkill() {
    mkb killed /wl/killed null '["sh", "-c", "sleep 1000 & sleep 1000"]'
    wl create -b /b/killed wlkilled > /tmp/killed.log 2>&1 || { why "create failed: $(cat /tmp/killed.log)"; return 1; }
    wl start wlkilled >> /tmp/killed.log 2>&1 || { why "start failed: $(cat /tmp/killed.log)"; return 1; }
    d=$CG/wl/killed
    wait_status wlkilled running 20 || why "status '$(field wlkilled status)' after start"
    pid=$(field wlkilled pid)
    [ "${pid:-0}" -gt 1 ] 2>/dev/null || { why "no init pid in state ($pid)"; return 1; }
    n=0
    # sh -c execs its last command: the init is one sleep, its child the other.
    while [ $n -lt 50 ] && [ "$(wc -l < $d/cgroup.procs)" -lt 2 ]; do sleep 0.1; n=$((n + 1)); done
    procs=$(tr '\n' ' ' < $d/cgroup.procs)
    [ "$(wc -w < $d/cgroup.procs)" -ge 2 ] || why "cgroup.procs has '$procs', want the init and its child"
    kill -9 "$pid"
    wait_status wlkilled stopped 50 || why "status '$(field wlkilled status)' 5 s after SIGKILL of init $pid"
    out=$(wl delete wlkilled 2>&1) || why "delete rc=$?: $out"
    gone $d || why "$d still exists after delete ($(cat $d/cgroup.procs 2>&1 | tr '\n' ' '))"
    wl state wlkilled > /dev/null 2>&1 && why "state still known after delete"
    echo "INFO delete-after-sigkill: init pid $pid; cgroup.procs before SIGKILL: $procs"
    [ -z "$WHY" ]
}

c_exec() {
    # exec'd processes are born in the container's cgroup (clone3 CLONE_INTO_CGROUP) and
    # their exit status comes back.
    mkb exec /wl/exec '{"pids": {"limit": 20}}' '["sleep", "1000"]'
    wl run -d -b /b/exec wlexec > /tmp/exec.log 2>&1 || { why "run -d failed: $(cat /tmp/exec.log)"; return 1; }
    wl exec -d --pid-file /tmp/exec.pid wlexec sleep 1000 > /tmp/exec.log 2>&1 || why "exec -d failed: $(cat /tmp/exec.log)"
    epid=$(cat /tmp/exec.pid 2>/dev/null)
    [ "$(cat /proc/$epid/cgroup 2>&1)" = "0::/wl/exec" ] || why "exec'd $epid is in '$(cat /proc/$epid/cgroup 2>&1)'"
    wl exec wlexec sh -c 'exit 3'; rc=$?
    [ $rc = 3 ] || why "exec exit status $rc, want 3"
    out=$(wl delete -f wlexec 2>&1) || why "delete -f rc=$?: $out"
    gone $CG/wl/exec || why "$CG/wl/exec still exists after delete"
    [ -z "$WHY" ]
}

# Not a pass/fail check: how long a `run` of `true` takes after a quiet second, when the
# kernel's cgroup locks are cold (TCG: absolute numbers are slow; compare binaries).
i_cold_run() {
    mkb cold "" '{"pids": {"limit": 7}}' '["true"]'
    times=""
    for n in 1 2 3 4 5; do
        sleep 1
        a=$(cut -d' ' -f1 /proc/uptime)
        wl run -b /b/cold wlcold$n > /dev/null 2>&1
        b=$(cut -d' ' -f1 /proc/uptime)
        times="$times $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.0f", (b - a) * 1000 }')"
    done
    echo "INFO cold run (ms, /proc/uptime resolution):$times"
}

T0=$(up)
check "guest: pure cgroup v2 (cgroup2 at $CG, no v1, cpu/memory/pids available)" c_env
check "features: JSON with ociVersionMin, cgroup namespace and linux.cgroup.v2=true" c_features
check "namespaces: run prints its own hostname, pid 1, only lo, cgroupns root" c_namespaces
check "resources (cgroupsPath /wl/abs): memory.max pids.max cpu.weight cpu.max memory.high" c_resources_abs
check "delete (created container) removes /sys/fs/cgroup/wl/abs" c_delete_created
check "resources (cgroupsPath wl-rel/c2, relative): values at /sys/fs/cgroup/wl-rel/c2, delete removes it" c_resources_rel
check "resources (no cgroupsPath): /sys/fs/cgroup/<id>, delete removes it" c_default_path
check "pids.max=6 stops a fork loop" c_pids_forkloop
check "delete -f (running container) removes /sys/fs/cgroup/wl/pids" c_delete_running_force
check "oom: memory.max=32M OOM-kills a hog (exit 137, memory.events oom_kill)" c_oom_child
check "oom: run exits 137 when the init itself is OOM-killed" c_oom_init
check "pause: status paused, cgroup.freeze=1, frozen 1, counter stops" c_pause
check "resume: status running, frozen 0, counter moves again" c_resume
check "delete -f (paused container) removes /sys/fs/cgroup/wl/pause" c_delete_paused_force
check "delete after SIGKILL of the init removes /sys/fs/cgroup/wl/killed" c_delete_after_sigkill
check "exec: born in the container's cgroup (0::/wl/exec), exit status passed through" c_exec
[ -z "$ONLY" ] && i_cold_run
echo "INFO checks took $(awk -v a="$T0" -v b="$(up)" 'BEGIN { printf "%.1f", b - a }')s (guest uptime $(up)s)"
echo "WLQ-SUMMARY $PASSED passed, $FAILED failed"
echo "WLQ-DONE"
sync
poweroff -f
