# SPDX-License-Identifier: GPL-2.0
# Guest side of scripts/bench (bench kernel, no debug options): run
# wq_bench, then lib/test_workqueue.ko with one producer and with one per
# CPU, in the same boot, and copy their lines to the console for the
# host to parse.  Parameters come from the kernel command line:
# wqs.iters= wqs.reps= wqs.mechs= wqs.twq_items=.
. /wqs/lib.sh

iters=2000 reps=3 mechs=all twq_items=2000
for arg in $(cat /proc/cmdline); do
	case $arg in
	wqs.iters=*) iters=${arg#*=} ;;
	wqs.reps=*) reps=${arg#*=} ;;
	wqs.mechs=*) mechs=${arg#*=} ;;
	wqs.twq_items=*) twq_items=${arg#*=} ;;
	esac
done

# Only our lines on the console, in order (busybox dmesg has no -C).
dmesg -n 1
dmesg -c >/dev/null

# show_new RE: print the dmesg lines matching RE that are new since the
# last call ($seen counts them).
seen=0
show_new() {
	dmesg | grep "$1" | sed -n "$((seen + 1)),\$p" >/tmp/new
	cat /tmp/new
	seen=$((seen + $(wc -l </tmp/new)))
}

echo "WQS-BENCH-BEGIN wq_bench iters=$iters delayed_reps=$reps mechs=$mechs"
t0=$(cut -d. -f1 /proc/uptime)
if [ -f /wqs/extra/wq_bench.ko ]; then
	insmod /wqs/extra/wq_bench.ko iters="$iters" delayed_reps="$reps" mechs="$mechs"
else
	modprobe wq_bench iters="$iters" delayed_reps="$reps" mechs="$mechs"
fi || { echo "WQS-BENCH-FAIL cannot load wq_bench"; exit 1; }
while :; do
	show_new 'wq_bench: '
	dmesg | grep -Eq 'wq_bench: (end|stopped)' && break
	[ $(($(cut -d. -f1 /proc/uptime) - t0)) -lt 1500 ] ||
		{ echo "WQS-BENCH-FAIL wq_bench did not finish"; break; }
	sleep 1
done
show_new 'wq_bench: '
rmmod wq_bench
echo "WQS-BENCH-TIME wq_bench $(($(cut -d. -f1 /proc/uptime) - t0)) s"

# test_workqueue runs in its init and then refuses to stay loaded
# (-EAGAIN): the failed modprobe is expected.
for threads in 1 0; do
	t0=$(cut -d. -f1 /proc/uptime)
	modprobe test_workqueue nr_threads=$threads wq_items="$twq_items" 2>/dev/null
	echo "WQS-BENCH-TIME test_workqueue nr_threads=$threads $(($(cut -d. -f1 /proc/uptime) - t0)) s"
done
dmesg | grep 'test_workqueue:'

dmesg -n 7
dmesg | grep -q 'wq_bench: end' || exit 1
echo "WQS-BENCH-END"
