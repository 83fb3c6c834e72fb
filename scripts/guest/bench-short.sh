# SPDX-License-Identifier: GPL-2.0
# Short wq_bench run in the debug kernel, as a check: it looks only at
# correctness flags and counts (every item exactly once, in the expected
# context, on the expected CPU and before the 10-s timeout, idle and with
# the CPU hog, over two runs; no delayed work early; the end marker and a
# line for every cell), never at timings.
. /wqs/lib.sh

load() {
	if [ -f /wqs/extra/wq_bench.ko ]; then
		insmod /wqs/extra/wq_bench.ko "$@"
	else
		modprobe wq_bench "$@"
	fi
}

# The bench lines (without the prefix), collected during the run.
lines() { cat /tmp/wq_bench.lines; }

dmesg -c >/dev/null		# busybox dmesg has no -C
check_begin wq_bench-short-run
since_here
# The run prints more than the log buffer holds: read every record as it
# comes (cat stops when a record it had not read yet was overwritten;
# another cat goes on from the same open file).
(
	exec 3</dev/kmsg
	trap 'kill $c 2>/dev/null; exit 0' TERM
	while :; do
		cat <&3 &
		c=$!
		wait $c
	done
) >/tmp/kmsg.all 2>/dev/null &
reader=$!
if ! load iters=40 load_iters=10 warmup=2 runs=2 load=both delayed_reps=1; then
	check_fail "cannot load wq_bench"
elif ! wait_dmesg 'wq_bench: (end|stopped)' 600; then
	check_fail "no end marker after 600 s"
fi
loaded wq_bench && rmmod wq_bench
kill $reader
wait $reader 2>/dev/null
awk -v START="$WQS_SINCE" '
	/^ / { next }			# a record'"'"'s key=value dictionary
	{ sub(/^[^;]*;/, "") }		# its level, sequence, time, flags
	!go { go = ($0 == START); next }
	sub(/^wq_bench: /, "")' /tmp/kmsg.all >/tmp/wq_bench.lines
lines | grep -q '^end ' || check_fail "no 'wq_bench: end' line"
check_end

check_begin wq_bench-short-exactly-once
cells=$(lines | grep -c '^cell ')
want=$(lines | sed -n 's/^end .*cells=\([0-9]*\) .*/\1/p')
[ "$cells" -gt 0 ] || check_fail "no cell lines"
[ "$cells" = "$want" ] || check_fail "$cells cell lines, the end line says ${want:-nothing}"
# exec=<runs>/<queued> must match, no item may time out, and every flag
# be ok (cpu may be "-").
lines | grep '^cell ' | awk '
	{ ok = 1
	  for (i = 1; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == "exec") { split(kv[2], e, "/"); if (e[1] != e[2] || e[1] == 0) ok = 0 }
		if (kv[1] == "timeout" && kv[2] != "0") ok = 0
		if (kv[1] == "once" || kv[1] == "ctx" || kv[1] == "result")
			if (kv[2] != "ok") ok = 0
		if (kv[1] == "cpu" && kv[2] != "ok" && kv[2] != "-") ok = 0
	  }
	  if (!ok) { print; bad++ } }
	END { exit bad > 0 }' >/tmp/bad-cells || {
	cat /tmp/bad-cells
	check_fail "$(wc -l </tmp/bad-cells) cell(s) broke exactly-once/timeout/context/CPU"
}
lines | grep -q '^end .* violations=0$' || check_fail "the end line reports violations"
check_end

check_begin wq_bench-short-delayed-not-early
n=$(lines | grep -c '^delayed ')
[ "$n" = 6 ] || check_fail "$n delayed lines, want 6"
lines | grep '^delayed ' | grep -v ' early=0 ' && check_fail "delayed work ran EARLY"
lines | grep '^delayed ' | grep -v ' result=ok$' && check_fail "delayed work broke exactly-once"
check_end
