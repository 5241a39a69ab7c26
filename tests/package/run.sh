#!/bin/sh
# The Debian package, tested installed: the daemon in the foreground as
# user arhiivar (as on a machine where systemd is not PID 1), then the
# service itself, with its whole sandbox, under a systemd booted in a
# namespace of its own; each of the daemon's jobs (inbox, schedule,
# audit, API, restore) once in each.  Then dpkg -r and -P keep the data,
# and an install again picks it up.
#
# usage: tests/package/run.sh DEB        build-and-install mode (make deb first)
#        tests/package/run.sh --installed  the package is already installed
#                                        (autopkgtest): no dpkg steps
#
# It works on this machine's /var/lib/arhiivar and /etc/arhiivar, so it
# refuses to start where a home is there already that it did not make.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
export LC_ALL=C.UTF-8
HOMED=/var/lib/arhiivar
CONF=/etc/arhiivar/arhiivar.conf
PORT=${ARH_PKG_PORT:-8470}
MODE=deb
DEB=
case "${1:-}" in
--installed) MODE=installed ;;
*.deb) DEB=$1 ;;
*) echo "usage: $0 DEB | --installed" >&2; exit 2 ;;
esac

n=0
failed=0
W=$(mktemp -d "${TMPDIR:-/tmp}/arhiivar-pkg.XXXXXX")
chmod 0755 "$W"
SD=			# the namespace's systemd, once booted
DPID=			# the foreground daemon

cleanup() {
	[ -n "$DPID" ] && kill -TERM "$DPID" 2>/dev/null
	[ -n "$SD" ] && kill -KILL "$SD" 2>/dev/null
	rm -rf "$W" /srv/arhiivar-test-export
	userdel arhiivar-test-staff 2>/dev/null
	# What this mode installed it takes away again (it started only where
	# there was no home), so that it can run again.
	if [ "$MODE" = deb ] && [ "$started" = yes ]; then
		dpkg -P arhiivar >/dev/null 2>&1
		rm -rf "$HOMED" /etc/arhiivar /run/arhiivar
		deluser --system arhiivar >/dev/null 2>&1
		delgroup --system arhiivar >/dev/null 2>&1
		delgroup --system arhiivar-staff >/dev/null 2>&1
	fi
	return 0
}
started=no
trap cleanup EXIT

ok() { n=$((n + 1)); echo "ok $n - $*"; }
# fail WHAT: the step, what the daemon said, and the end.
fail() {
	n=$((n + 1)); failed=$((failed + 1))
	echo "not ok $n - $*"
	for f in "$W"/daemon.log "$W"/last "$W"/out; do
		[ -s "$f" ] && sed "s|^|# $(basename "$f"): |" "$f"
	done
	echo "$((n - failed)) passed, $failed failed"
	exit 1
}
# t WHAT CMD...: one step; its output in $W/out, the step before's in
# $W/last (what grep_out reads).
t() {
	what=$1; shift
	cp "$W/out" "$W/last" 2>/dev/null || : >"$W/last"
	if "$@" >"$W/out" 2>&1; then ok "$what"; else fail "$what"; fi
}
# poll SECONDS CMD...: CMD every 50 ms until it succeeds.
poll() {
	limit=$(($1 * 20)); i=0; shift
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1)); [ "$i" -ge "$limit" ] && return 1
		sleep 0.05
	done
}
# in_ns CMD...: in the mount namespace of the booted systemd when there
# is one (its /run holds the socket).
in_ns() { if [ -n "$SD" ]; then nsenter -t "$SD" -m -- "$@"; else "$@"; fi; }
# sctl ARGS: systemctl of the booted systemd, the namespace's or the host's.
sctl() {
	if [ -n "$SD" ]; then nsenter -t "$SD" -m -p systemctl "$@"; else systemctl "$@"; fi
}
# A CMD...: the installed CLI as the home's owner.
A() { in_ns runuser -u arhiivar -- /usr/bin/arhiivar "$@"; }
grep_out() { grep -q -- "$1" "$W/last"; }
cli_cmd() {	# A's command line, for sh -c
	if [ -n "$SD" ]; then
		printf 'nsenter -t %s -m -- ' "$SD"
	fi
	printf 'runuser -u arhiivar -- /usr/bin/arhiivar'
}
# The staff member: in arhiivar-staff only, so neither the home nor its
# configuration's directory is theirs to read; the daemon restores.
staff_cmd() {
	if [ -n "$SD" ]; then
		printf 'nsenter -t %s -m -- ' "$SD"
	fi
	printf 'setpriv --reuid=%s --regid=arhiivar-staff --init-groups /usr/bin/arhiivar' "$STAFF"
}
restore_cmd() { printf '%s restore -o - 12-1/%s 12-1_8911-1/vastus.txt' "$(cli_cmd)" "$1"; }
archived() { A show "$1" >/dev/null; }
completes() {	# the installed completion offers "schedule" for "arhiivar sch"
	# shellcheck disable=SC2016
	bash --norc -c '. /usr/share/bash-completion/completions/arhiivar
	    COMP_WORDS=(arhiivar sch); COMP_CWORD=1; COMP_LINE="arhiivar sch"
	    COMP_POINT=12; _arhiivar arhiivar sch arhiivar
	    echo "${COMPREPLY[*]}"' | grep -qx schedule
}
# The service, through sctl.
sd_running() { sctl is-system-running | grep -q -e running -e degraded; }
unprivileged() {	# its main process: the user arhiivar, no capability
	p=$(sctl show -p MainPID --value arhiivar)
	in_ns grep -q "^Uid:[[:space:]]*$(id -u arhiivar)[[:space:]]" "/proc/$p/status" &&
	    in_ns grep -q '^CapEff:[[:space:]]*0000000000000000$' "/proc/$p/status"
}
reloaded() { sctl reload arhiivar && sctl is-active arhiivar; }
running() { sctl status arhiivar --no-pager | grep -q 'active (running)'; }
audited() { A events "$1" | grep -q 'audit.*ok'; }

# A case file of the sample, as another year of its series: every 2024
# in its metadata becomes YEAR, the restriction's end five years on.
sample_case() {	# sample_case NAME YEAR DEST
	cp -r "$TOP/sample/$1" "$3"
	[ "$2" = 2024 ] || find "$3" -name '*.json' -exec sed -i \
	    "s/2029-12-20/$(($2 + 5))-12-20/; s/2024/$2/g" {} +
	chown -R arhiivar:arhiivar "$3"
}

# --- install -----------------------------------------------------------
if [ "$MODE" = deb ]; then
	# What the test itself uses (autopkgtest's Depends say the same).
	sh "$TOP/tools/deps.sh" systemd util-linux curl sqlite3 || exit 2
	if [ -e "$HOMED" ] || [ -e /etc/arhiivar ]; then
		echo "$0: $HOMED or /etc/arhiivar exists: this test installs" \
		    "the package here and would touch that home; run it on a" \
		    "machine without one" >&2
		exit 2
	fi
	started=yes
	t "dpkg -i installs the package" dpkg -i "$DEB"
	t "the first install made a home and says how to seal" grep_out "a new home in $HOMED"
fi
t "system user and group arhiivar" sh -c 'getent passwd arhiivar && getent group arhiivar'
t "$HOMED is arhiivar's, mode 0750" sh -c "[ \"\$(stat -c '%U:%G %a' $HOMED)\" = 'arhiivar:arhiivar 750' ]"
t "the home has its catalog, seal key and log key" test -f "$HOMED/catalog.db" -a -f "$HOMED/keys/seal.key" -a -f "$HOMED/keys/log.key"
t "the configuration is the conffile in /etc, not a copy in the home" sh -c "dpkg-query -W -f='\${Conffiles}' arhiivar | grep -q '$CONF' && [ ! -e $HOMED/arhiivar.conf ]"
t "the bash completion is installed and completes the verbs" completes
t "arhiivard -t checks the packaged configuration" sh -c "runuser -u arhiivar -- /usr/sbin/arhiivard -t -H $HOMED -c $CONF | grep -q 'configuration OK'"
t "systemd-analyze security: exposure of the unit at most 2.0" sh -c "systemd-analyze security --offline=true /lib/systemd/system/arhiivar.service | tee $W/score | awk '/Overall exposure level/ { exit !(\$(NF-2) + 0 <= 2.0) }'"
echo "# $(grep 'Overall exposure' "$W/score")"
t "the staff group arhiivar-staff, with the daemon's user in it" sh -c "getent group arhiivar-staff | grep -q '[:,]arhiivar\(,\|\$\)'"
STAFF=arhiivar-test-staff
getent passwd "$STAFF" >/dev/null || useradd -M -N -g arhiivar-staff -s /usr/sbin/nologin "$STAFF"
t "root is sent to the home's owner, not let in" sh -c "! arhiivar list 2>&1 && arhiivar list 2>&1 | grep -q 'belongs to arhiivar'"

# The test's own settings: a transfer source outside the home (read
# through the sandbox), the test's roles, the API on its port.
cp "$CONF" "$W/conf.orig"
mkdir -p /srv/arhiivar-test-export
cat >>"$CONF" <<EOC
[daemon]
sources = /srv/arhiivar-test-export
[api]
listen = 127.0.0.1:$PORT
[roles]
records-manager = user:arhiivar
auditor = user:arhiivar
EOC
cp "$TOP/sample/fileplan.csv" "$TOP/sample/register-entry-12-1-8909-1.txt" "$W/"
t "the file plan loads" A fileplan import "$W/fileplan.csv"

# jobs TAG INBOX_YEAR SCHED_YEAR: each job of the daemon, once.
jobs() {
	tag=$1
	sample_case case-12-1-2024 "$2" "$W/case-$2"
	if [ "$2" = 2024 ]; then
		t "$tag: the register entry is imported into the case file" A register import -C "$W/case-$2" "$W/register-entry-12-1-8909-1.txt"
	fi
	t "$tag: submit puts the case file into the inbox" A submit "$W/case-$2"
	t "$tag: the daemon archives it from the inbox" poll 60 archived "12-1/$2"
	t "$tag: the item moved to done/" poll 20 test -d "$HOMED/done/case-$2"
	t "$tag: verify passes" A verify "12-1/$2"
	t "$tag: restore gives the public letter back" sh -c "$(restore_cmd "$2") >'$W/restored'"
	t "$tag: ... byte for byte" cmp "$W/case-$2/12-1_8911-1/vastus.txt" "$W/restored"
	t "$tag: staff restore the public letter through the daemon" sh -c "$(staff_cmd) restore -o - 12-1/$2 12-1_8911-1/vastus.txt >'$W/staff-restored' && cmp '$W/case-$2/12-1_8911-1/vastus.txt' '$W/staff-restored'"
	t "$tag: ... and are refused the internal-use one (status 1)" sh -c "$(staff_cmd) restore -o - 12-1/$2 12-1_8910-1/lisad/lisa-1.txt >'$W/staff-refused' 2>'$W/staff-why'; [ \$? -eq 1 ] && [ ! -s '$W/staff-refused' ] && grep -q 'access denied' '$W/staff-why'"
	sample_case case-12-1-2024 "$3" "/srv/arhiivar-test-export/case-$3"
	t "$tag: a transfer is scheduled from the export directory" A schedule add --series 12-1 --year "$3" --source "/srv/arhiivar-test-export/case-$3" --at 2099-01-15T02:00
	id=$(sed -n 's/^job \([0-9]*\).*/\1/p; s/^\([0-9][0-9]*\)$/\1/p' "$W/out" | head -1)
	[ -n "$id" ] || id=$(A schedule list | awk 'END { print $1 }')
	t "$tag: run-now hands the transfer to the daemon" A schedule run-now "$id"
	t "$tag: the daemon's transfer archives the case file" poll 60 archived "12-1/$3"
	t "$tag: ... and the job is done" poll 20 sh -c "$(cli_cmd) schedule show $id | grep -q '^$id  done'"
	t "$tag: an audit is asked of the daemon" A audit "12-1/$2"
	t "$tag: the daemon audits it" poll 60 audited "12-1/$2"
	TOKEN=$(A token add --role auditor --label "package test $tag" 2>/dev/null)
	t "$tag: the API answers the archive list" in_ns sh -c "curl -fsS http://127.0.0.1:$PORT/v1/archives | grep -q '12-1_$2.v1'"
	t "$tag: the API verifies the archive with a token" in_ns sh -c "curl -fsS -X POST -H 'Authorization: Bearer $TOKEN' http://127.0.0.1:$PORT/v1/archives/12-1_$2.v1/verify | grep -q '\"ok\": *true\|\"result\": *\"ok\"'"
	t "$tag: status says the daemon is up, nothing needs attention" A status
}

# Where systemd runs this machine (an autopkgtest testbed), the package
# started the service: it is stopped for the foreground part.
HOST_SYSTEMD=no
if [ -d /run/systemd/system ]; then
	HOST_SYSTEMD=yes
	systemctl stop arhiivar.service 2>/dev/null
fi

# --- the daemon in the foreground, as user arhiivar -----------------------
# /run/arhiivar is what the unit's RuntimeDirectory= would make.
install -d -o arhiivar -g arhiivar -m 0755 /run/arhiivar
# setpriv execs (runuser would stand between, and end the session on
# SIGTERM): $! is the daemon.
setpriv --reuid=arhiivar --regid=arhiivar --init-groups \
    /usr/sbin/arhiivard -H "$HOMED" -c "$CONF" 2>"$W/daemon.log" &
DPID=$!
t "foreground: arhiivard starts as arhiivar" poll 20 A status
jobs foreground 2024 2023
t "foreground: SIGHUP reloads, the daemon answers after it" sh -c "kill -HUP $DPID && sleep 0 && runuser -u arhiivar -- arhiivar status"
kill -TERM "$DPID"; wait "$DPID"; rc=$?; DPID=
t "foreground: SIGTERM stops it cleanly" [ "$rc" -eq 0 ]

# --- the service, sandboxed, under systemd ---------------------------------
# systemd as PID 1 of new PID and mount namespaces: the host's units,
# a fresh /run, and a drop-in that only cuts the unit's ordering (no
# sysinit.target here) and sends its output to a file.
if [ "$HOST_SYSTEMD" = yes ]; then
	t "systemctl start arhiivar: the service is ready (Type=notify)" sctl start arhiivar.service
	t "its main process runs as arhiivar, no capabilities" unprivileged
	jobs service 2022 2021
	t "systemctl reload arhiivar: still active" reloaded
	t "systemctl status arhiivar: active (running)" running
else
	cat >"$W/boot" <<'EOB'
#!/bin/sh
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/systemd/system/arhiivar.service.d
cat >/run/systemd/system/package-test.target <<'U'
[Unit]
Description=the package test
DefaultDependencies=no
U
cat >/run/systemd/system/arhiivar.service.d/package-test.conf <<'U'
[Unit]
DefaultDependencies=no
[Service]
StandardOutput=append:/run/arhiivar-service.log
StandardError=append:/run/arhiivar-service.log
U
exec /lib/systemd/systemd --system --unit=package-test.target
EOB
	chmod 0755 "$W/boot"
	unshare --pid --fork --mount --mount-proc --propagation private "$W/boot" >"$W/systemd.log" 2>&1 &
	poll 20 sh -c "pgrep -f 'systemd --system --unit=package-test.target' >/dev/null" &&
	    SD=$(pgrep -f 'systemd --system --unit=package-test.target' | head -1)
	t "a systemd boots in its own namespace" poll 30 sd_running
	t "systemctl start arhiivar: the service is ready (Type=notify)" sctl start arhiivar.service
	t "its main process runs as arhiivar, no capabilities" unprivileged
	jobs service 2022 2021
	t "systemctl reload arhiivar: still active" reloaded
	t "systemctl status arhiivar: active (running)" running
	t "systemctl stop arhiivar" sctl stop arhiivar.service
	in_ns cat /run/arhiivar-service.log >"$W/daemon.log" 2>/dev/null
	kill -KILL "$SD"; SD=
	# PrivateTmp='s directories, which a systemd that is killed keeps.
	find /tmp /var/tmp -maxdepth 1 -name 'systemd-private-*-arhiivar.service-*' \
	    -newer "$W/boot" -exec rm -rf {} + 2>/dev/null
fi

# --- remove, purge, install again: the data stays --------------------------
if [ "$MODE" = deb ]; then
	cp "$W/conf.orig" "$CONF"
	sums() { (cd "$HOMED" && sha256sum store/*.tar keys/* catalog.db 2>/dev/null); }
	n_arch=$(ls "$HOMED"/store/*.tar | wc -l)
	t "four archives in the store" [ "$n_arch" -eq 4 ]
	t "dpkg -r arhiivar" dpkg -r arhiivar
	t "... keeps the archives, catalog and keys" sh -c "[ \$(ls $HOMED/store/*.tar | wc -l) -eq 4 ] && [ -f $HOMED/catalog.db ] && [ -f $HOMED/keys/seal.key ]"
	# An upgrade from a version before the tamper-evident log: its
	# catalog has schema 9 and no log tables.
	t "the catalog is made one of schema 9 (before the log)" runuser -u arhiivar -- sqlite3 "$HOMED/catalog.db" \
	    "drop table log_leaves; drop table log_nodes; drop table log_checkpoints; drop table log_key; pragma user_version = 9;"
	t "dpkg -i again" dpkg -i "$DEB"
	t "... is not a first install" sh -c "! grep -q 'a new home' '$W/last'"
	t "... migrated the catalog to schema 10" sh -c "[ \"\$(runuser -u arhiivar -- sqlite3 $HOMED/catalog.db 'pragma user_version')\" = 10 ]"
	t "... whose log holds every event" sh -c "runuser -u arhiivar -- arhiivar log verify | grep -q '^ok: '"
	t "... and picks the archives up" sh -c "runuser -u arhiivar -- arhiivar list | grep -c '^12-1' | grep -qx 4"
	t "... they verify" runuser -u arhiivar -- arhiivar verify --all
	sums >"$W/sums.before"
	t "dpkg -P arhiivar removes the configuration" sh -c "dpkg -P arhiivar && [ ! -e $CONF ]"
	t "... says where the data stays" grep_out "stay in $HOMED"
	t "... and leaves it" sh -c "cd $HOMED && sha256sum -c --quiet '$W/sums.before'"
	t "dpkg -i after purge: the home is picked up with a fresh configuration" sh -c "dpkg -i '$DEB' && [ -f $CONF ] && runuser -u arhiivar -- arhiivar list | grep -c '^12-1' | grep -qx 4"
fi

[ "$MODE" = installed ] && cp "$W/conf.orig" "$CONF"
echo "$((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
