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
	n=$(dmesg | grep -c 'workqueue_demo:')
	if [ "$n" -gt "$seen" ]; then
		dmesg | grep 'workqueue_demo:' | tail -n $((n - seen))
		seen=$n
	fi
	dmesg | grep -q 'Delayed work finished' && break
	usleep 250000
	t=$((t + 1))
done
rmmod workqueue_demo
dmesg | grep 'workqueue_demo: Unloaded'
dmesg -n 7
lines_in_order /wqs/expect/workqueue_demo.re || exit 1
echo "== workqueue_demo printed every line of the seed, in order"
