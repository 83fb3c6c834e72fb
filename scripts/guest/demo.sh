# SPDX-License-Identifier: GPL-2.0
# The README's main job, inside the guest: load workqueue_demo, show its
# lines live (with the kernel's timestamps), unload it, and check that
# every documented line came, in order.  With "sh demo.sh trace", the
# workqueue tracepoints (queue, activate, start, end) of the demo's own
# work items are recorded too and shown as a timeline.  The host judges
# the whole kernel log (a warning fails the demo) and the canaries that
# run after it.
. /wqs/lib.sh
trace=${1:-}
T=/sys/kernel/tracing/instances/demo
echo
echo "== workqueue_demo: loading; its lines follow as the work runs (about 5 s)"
if [ -n "$trace" ]; then
	mkdir -p $T
	echo 8192 >$T/buffer_size_kb
	for e in workqueue_queue_work workqueue_activate_work workqueue_execute_start workqueue_execute_end; do
		echo 1 >$T/events/workqueue/$e/enable
	done
	echo 1 >$T/tracing_on
fi
check_begin "demo workqueue_demo"
since_here
dmesg -c >/dev/null
# awk prints each of the module's lines the moment the kernel logs it,
# with the kernel's own timestamp (kmsg_open: a reader of /dev/kmsg).
kmsg_open
timeout 120 awk -v START="$WQS_SINCE" '
	/^ / { next }
	{ split($0, f, ","); t = f[3] / 1000000; sub(/^[^;]*;/, "") }
	!go { go = ($0 == START); next }
	/^workqueue_demo: / { printf "[%9.2f] %s\n", t, $0; fflush() }
	/^workqueue_demo: Delayed work finished/ { exit }' <$KMSG_FIFO &
reader=$!
if ! modprobe workqueue_demo 2>/tmp/modprobe.err; then
	check_fail "modprobe workqueue_demo failed: $(cat /tmp/modprobe.err)"
	kill $reader
fi
wait $reader || check_fail "workqueue_demo did not finish within 120 s"
kmsg_close
if [ -n "$trace" ]; then
	echo 0 >$T/tracing_on
	# The demo's functions, named while the module is still loaded.
	awk '$4 == "[workqueue_demo]" { print $3 }' /proc/kallsyms >/tmp/demo-fns
	cat $T/trace >/tmp/demo-trace
fi
loaded workqueue_demo && { rmmod workqueue_demo || check_fail "rmmod workqueue_demo failed"; }
dmesg | grep 'workqueue_demo: Unloaded'
lines_in_order /wqs/expect/workqueue_demo.re >/tmp/miss || check_fail "$(cat /tmp/miss)"
check_end
if [ -n "$trace" ]; then
	echo
	echo "== the demo's work items as the workqueue tracepoints saw them"
	echo "   (time, CPU, the task that queued or ran it; queue -> activate -> start -> end)"
	# Keep the events of the work items whose function is the demo's: a
	# queue or start event names the function, the others only the item.
	awk 'FNR == NR { fn[$1] = 1; next }
	     /^#/ { next }
	     { task = $1; cpu = $2; t = $4; sub(/:$/, "", t); ev = $5; sub(/:$/, "", ev)
	       w = ""; f = ""
	       if (match($0, /work struct[= ]?[0-9a-fx]+/)) { w = substr($0, RSTART, RLENGTH); sub(/.*[= ]/, "", w) }
	       if (match($0, /function[= ][^ ]+/)) { f = substr($0, RSTART + 9, RLENGTH - 9) }
	       if (f != "" && (f in fn)) mine[w] = f
	       if (!(w in mine)) next
	       q = ""; if (match($0, /workqueue=[^ ]+/)) q = " on " substr($0, RSTART + 10, RLENGTH - 10)
	       c = ""; if (match($0, /req_cpu=[0-9]+ cpu=[0-9]+/)) c = " (" substr($0, RSTART, RLENGTH) ")"
	       sub(/^workqueue_/, "", ev); sub(/_work$/, "", ev); sub(/^execute_/, "", ev)
	       printf "  %12s %s %-18s %-8s %s%s%s\n", t, cpu, task, ev, mine[w], q, c }' \
		/tmp/demo-fns /tmp/demo-trace
	rmdir $T 2>/dev/null
fi
[ -z "$WQS_WHY" ] && echo "== workqueue_demo printed every documented line, in order"
true
