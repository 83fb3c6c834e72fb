# SPDX-License-Identifier: GPL-2.0
# The README's main job, inside the guest: load the seed's workqueue_demo,
# show its output live, unload it.
. /wqs/lib.sh
echo
echo "== workqueue_demo: loading; its lines follow as the work runs (about 5 s)"
dmesg -n 1
dmesg -c >/dev/null
modprobe workqueue_demo || { echo "modprobe workqueue_demo failed"; exit 1; }
seen=0 t=0
while [ $t -lt 120 ]; do
	# One snapshot per round: counting and printing from two reads of
	# the log would lose the lines that arrive in between.
	dmesg | grep 'workqueue_demo:' >/tmp/demo.now
	n=$(wc -l </tmp/demo.now)
	if [ "$n" -gt "$seen" ]; then
		sed -n "$((seen + 1)),\$p" /tmp/demo.now
		seen=$n
	fi
	grep -q 'Delayed work finished' /tmp/demo.now && break
	usleep 250000
	t=$((t + 1))
done
rmmod workqueue_demo
dmesg | grep 'workqueue_demo: Unloaded'
dmesg -n 7
lines_in_order /wqs/expect/workqueue_demo.re || exit 1
echo "== workqueue_demo printed every line of the seed, in order"
