# SPDX-License-Identifier: GPL-2.0
# The README's main job, inside the guest: load the seed's workqueue_demo,
# show its output live, unload it.
. /wqs/lib.sh
echo
echo "== workqueue_demo: loading; its lines follow as the work runs (about 5 s)"
dmesg -n 1
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
modprobe workqueue_demo || { echo "modprobe workqueue_demo failed"; kill $reader; kmsg_close; exit 1; }
wait $reader || echo "== workqueue_demo did not finish within 120 s"
kmsg_close
rmmod workqueue_demo
dmesg | grep 'workqueue_demo: Unloaded'
dmesg -n 7
lines_in_order /wqs/expect/workqueue_demo.re || exit 1
echo "== workqueue_demo printed every line of the seed, in order"
