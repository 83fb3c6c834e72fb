# SPDX-License-Identifier: GPL-2.0
# Guest side of scripts/bench (bench kernel, no debug options):
#  1. the environment the module cannot see (clocksource, clockevent,
#     cpuidle) as a "wq_bench: userenv" line;
#  2. wq_bench, every cell runs= times, idle and with a CPU hog;
#  3. wq_bench again on the workqueue mechanisms only, one run without
#     warm-up, while hist triggers on the workqueue_queue_work ->
#     workqueue_execute_start tracepoints histogram the same items per
#     cell queue (wqbench_<seq>); the histograms are printed for the
#     host to parse ("wqbench-trace:" lines);
#  4. lib/test_workqueue.ko with one producer and with one per CPU.
# The host reads wq_bench's lines from the kernel log relay, the rest
# from the console.  Parameters come from
# the kernel command line: wqs.iters= wqs.load_iters= wqs.runs=
# wqs.load= wqs.reps= wqs.mechs= wqs.trace_iters= wqs.twq_items=.
. /wqs/lib.sh

iters=1500 load_iters=150 runs=3 load=both reps=3 mechs=all trace_iters=1000
twq_items=1000
for arg in $(cat /proc/cmdline); do
	case $arg in
	wqs.iters=*) iters=${arg#*=} ;;
	wqs.load_iters=*) load_iters=${arg#*=} ;;
	wqs.runs=*) runs=${arg#*=} ;;
	wqs.load=*) load=${arg#*=} ;;
	wqs.reps=*) reps=${arg#*=} ;;
	wqs.mechs=*) mechs=${arg#*=} ;;
	wqs.trace_iters=*) trace_iters=${arg#*=} ;;
	wqs.twq_items=*) twq_items=${arg#*=} ;;
	esac
done

# This script, its programs and the console interrupt stay on the last
# CPU, away from the CPUs measured (0 and 1).
last=$(($(grep -c '^processor' /proc/cpuinfo) - 1))
taskset -p -c "$last" $$ >/dev/null 2>&1 || true
for irq in /proc/irq/*/smp_affinity_list; do
	echo "$last" >"$irq" 2>/dev/null || true
done

# Only our lines on the console (busybox dmesg has no -C).
dmesg -n 1
dmesg -c >/dev/null
: >/tmp/lines

now() { cut -d. -f1 /proc/uptime; }

load_bench() {
	if [ -f /wqs/extra/wq_bench.ko ]; then
		insmod /wqs/extra/wq_bench.ko "$@"
	else
		modprobe wq_bench "$@"
	fi
}

# run_bench LIMIT_S ARGS...: one load of wq_bench until its end line.
# While it runs, one awk blocks on the kernel log (kmsg_open, no polling:
# a program started every second would be noise on a measured CPU),
# keeps its lines in /tmp/lines and prints one progress line per run and
# load, and any violation at once.
run_bench() {
	limit=$1
	shift
	t0=$(now)
	since_here
	kmsg_open
	if load_bench "$@"; then
		timeout "$limit" awk -v START="$WQS_SINCE" -v OUT=/tmp/lines '
			function pass_done() {
				if (pass != "")
					printf "WQS-BENCH-PROGRESS wq_bench %s: %d cells\n", pass, n
				fflush()
			}
			BEGIN { printf "" >OUT }
			/^ / { next }
			{ sub(/^[^;]*;/, "") }
			!go { go = ($0 == START); next }
			/^wq_bench: / {
				print >OUT
				fflush(OUT)
				if ($2 == "cell") {
					p = $3 " " $4
					if (p != pass) { pass_done(); pass = p; n = 0 }
					n++
					if ($0 ~ /result=VIOLATION/) { print "WQS-BENCH-VIOLATION " $0; fflush() }
				} else if ($2 == "params" || $2 == "delayed") {
					pass_done(); pass = ""
				}
				if ($2 == "end" || $2 == "stopped") { pass_done(); ok = ($2 == "end"); exit }
			}
			END { exit !ok }' <$KMSG_FIFO
		rc=$?
		[ $rc = 0 ] || echo "WQS-BENCH-FAIL wq_bench did not end in $limit s ($*)"
		rmmod wq_bench
	else
		echo "WQS-BENCH-FAIL cannot load wq_bench $*"
		rc=1
	fi
	kmsg_close
	# The host reads every record from the kernel log relay (/dev/hvc0,
	# see init); without it, the lines go to the console, after the run.
	[ -c /dev/hvc0 ] || cat /tmp/lines
	echo "WQS-BENCH-TIME wq_bench $* $(($(now) - t0)) s"
	return $rc
}

cs=/sys/devices/system/clocksource/clocksource0
ce=/sys/devices/system/clockevents/clockevent0
echo "wq_bench: userenv clocksource=$(cat $cs/current_clocksource) available=$(cat $cs/available_clocksource | tr ' ' ',' | sed 's/,$//') clockevent=$(cat $ce/current_device 2>/dev/null || echo -) cpuidle=$(cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null || echo none) cmdline_tsc=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^tsc=//p' | head -n 1)"

echo "WQS-BENCH-BEGIN wq_bench iters=$iters load_iters=$load_iters runs=$runs load=$load delayed_reps=$reps mechs=$mechs"
status=0
run_bench 1500 iters="$iters" load_iters="$load_iters" runs="$runs" load="$load" \
	delayed_reps="$reps" mechs="$mechs" || status=1

# The cross-check: the workqueue tracepoints, histogrammed in the kernel
# per cell queue (wqbench_<seq>), latency in ns on the same clock as
# wq_bench's (trace_clock mono = CLOCK_MONOTONIC).
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null
wqmechs=$(echo "$mechs" | tr ',' '\n' |
	grep -E '^(all|percpu|percpu_hi|unbound|ordered|bh|bh_hi)$' |
	sed 's/^all$/percpu,percpu_hi,unbound,ordered,bh,bh_hi/' | tr '\n' ',' | sed 's/,$//')
q_trig='hist:keys=work:ts0=common_timestamp,wqn=workqueue if workqueue ~ "wqbench_*"'
s_trig='hist:keys=work:lat=common_timestamp-$ts0:onmatch(workqueue.workqueue_queue_work).trace(wqb_lat,$wqn,$lat)'
l_trig='hist:keys=wq,lat.buckets=100:sort=wq,lat:size=32768'
if [ "$trace_iters" = 0 ]; then
	echo "WQS-BENCH-TRACE skipped: trace_iters=0"
elif [ -z "$wqmechs" ]; then
	echo "WQS-BENCH-TRACE skipped: no workqueue mechanism in mechs=$mechs"
elif [ ! -f $T/synthetic_events ]; then
	echo "WQS-BENCH-TRACE skipped: the kernel has no hist triggers (CONFIG_HIST_TRIGGERS)"
elif echo mono >$T/trace_clock &&
	echo 'wqb_lat char wq[]; u64 lat' >>$T/synthetic_events &&
	echo "$q_trig" >>$T/events/workqueue/workqueue_queue_work/trigger &&
	echo "$s_trig" >>$T/events/workqueue/workqueue_execute_start/trigger &&
	echo "$l_trig" >>$T/events/synthetic/wqb_lat/trigger; then
	echo "WQS-BENCH-TRACE begin mechs=$wqmechs"
	run_bench 600 iters="$trace_iters" runs=1 load=idle warmup=0 \
		delayed_reps=0 mechs="$wqmechs" || status=1
	sed -e 's/  */ /g' -e 's/^/wqbench-trace: /' $T/events/synthetic/wqb_lat/hist
	echo "!$l_trig" >>$T/events/synthetic/wqb_lat/trigger
	echo "!$s_trig" >>$T/events/workqueue/workqueue_execute_start/trigger
	echo "!$q_trig" >>$T/events/workqueue/workqueue_queue_work/trigger
	echo '!wqb_lat char wq[]; u64 lat' >>$T/synthetic_events
	echo "WQS-BENCH-TRACE end"
else
	echo "WQS-BENCH-TRACE skipped: setting up the hist triggers failed:"
	cat $T/error_log 2>/dev/null
fi

# test_workqueue runs in its init and then refuses to stay loaded
# (-EAGAIN): the failed modprobe is expected.
for threads in 1 0; do
	t0=$(now)
	modprobe test_workqueue nr_threads=$threads wq_items="$twq_items" 2>/dev/null
	echo "WQS-BENCH-TIME test_workqueue nr_threads=$threads $(($(now) - t0)) s"
done
[ -c /dev/hvc0 ] || dmesg | grep 'test_workqueue:' | sed 's/^\[[ 0-9.]*\] //'

dmesg -n 7
[ $status = 0 ] || exit 1
echo "WQS-BENCH-END"
