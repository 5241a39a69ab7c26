# Shared by run.sh and mixed.sh (sourced).  Needs $W (the work directory),
# $GT (/usr/bin/time or empty) and $BASH (bash or empty).

# tm LABEL CMD...: run CMD; $W/t.LABEL gets "wall-seconds peak-RSS-KiB".
tm() {
	_l=$1
	shift
	sync
	if [ -n "$GT" ]; then
		"$GT" -f '%e %M' -o "$W/t.$_l.raw" "$@"
		_rc=$?
		tail -n 1 "$W/t.$_l.raw" >"$W/t.$_l"
	else
		_t0=$(date +%s.%N)
		"$@"
		_rc=$?
		_t1=$(date +%s.%N)
		echo "$_t0 $_t1" | awk '{ printf "%.2f n/a\n", $2 - $1 }' >"$W/t.$_l"
	fi
	return $_rc
}
secs() { cut -d' ' -f1 "$W/t.$1"; }
rss() { cut -d' ' -f2 "$W/t.$1"; }

# median_ms N CMD...: run CMD N times (output discarded), print the median
# wall time in ms, or FAIL.  bash's $EPOCHREALTIME keeps the timer's own
# fork out of the interval; without bash, date(1) adds a few ms.
median_ms() {
	_n=$1
	shift
	if [ -n "$BASH" ]; then
		W=$W "$BASH" -c 'n=$1; shift
		for ((i = 0; i < n; i++)); do
			t0=$EPOCHREALTIME
			"$@" >/dev/null 2>"$W/last.err" || { echo FAIL; exit; }
			t1=$EPOCHREALTIME
			echo "$t0 $t1"
		done' bash "$_n" "$@"
	else
		_i=0
		while [ $_i -lt "$_n" ]; do
			_t0=$(date +%s.%N)
			"$@" >/dev/null 2>"$W/last.err" || { echo FAIL; break; }
			_t1=$(date +%s.%N)
			echo "$_t0 $_t1"
			_i=$((_i + 1))
		done
	fi | awk '
		$1 == "FAIL" { fail = 1 }
		NF == 2 { v[n++] = ($2 - $1) * 1000 }
		END {
			if (fail || n == 0) { print "FAIL"; exit }
			for (i = 1; i < n; i++)
				for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
					t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
				}
			m = n % 2 ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2
			printf "%.1f\n", m
		}'
}

# pick_member DIR: a ~1 MB payload file from the middle half of DIR in
# bytewise path order (so a tar reader has to pass half the archive).
pick_member() {
	(cd "$1" && find . -type f ! -name record.json ! -name case.json -printf '%s %P\n' |
	LC_ALL=C sort -k 2 | awk '
		{ s[NR] = $1; sub(/^[0-9]+ /, ""); p[NR] = $0 }
		END {
			for (i = int(NR / 4) + 1; i <= int(3 * NR / 4) + 1 && i <= NR; i++) {
				d = s[i] - 1000000; if (d < 0) d = -d
				if (best == "" || d < bd) { best = p[i]; bd = d; bs = s[i] }
			}
			print best
		}')
}

fmt_rss() { case $1 in ''|n/a) echo n/a ;; *) awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }' ;; esac; }
# ratio A B: A/B with 2 decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
