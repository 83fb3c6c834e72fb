# SPDX-License-Identifier: GPL-2.0
# wq_gpio_irq on a gpio-sim line, on the arm64 "virt" machine with the
# device tree of scripts/gpio-proof: a "gpio-simulator" bank, and for
# "sh gpio-sim.sh dt" a "button" node with debounce-interval = <0> whose
# button-gpios is line 0 of that bank; for "sh gpio-sim.sh params" no
# button node: the module is told the bank's label and line 0
# (gpio_chip=, gpio_line=).  Writing pull-up / pull-down to the line's
# sysfs "pull" attribute makes exactly one edge.  Checks ("gpio-sim MODE: "):
#
#  probe:     the button binds, debounce 0 ms (from the DT, or debounce_ms=0);
#  1000:      1000 edges, debounce off, in batches of 100 each drained
#             before the next: exactly 1000 handled;
#  debounce:  (params) debounce_ms=1000: 5 bursts of 10 edges, 2 s apart:
#             5 handled + 45 debounced, one event line per burst;
#  storm:     5000 edges as fast as dd can write them, debounce off (and,
#             params, 5000 with debounce_ms=20): edges == written ==
#             handled + debounced + dropped;
#  unbind:    unbind/bind 10 times and rmmod/insmod 3 times while a writer
#             storms; every "stopped:" line adds up; nothing left behind.
. /wqs/lib.sh
# Results go through the kernel log at NOTICE, like the WQS- markers, so
# that they reach the console as whole lines.
note() { echo "<5>wqs: $*" >/dev/kmsg; }

M=wq_gpio_irq
D=/sys/bus/platform/drivers/$M
DEV=$D/button
MODE=${1:-dt}
case $MODE in dt|params) ;; *) echo "usage: sh gpio-sim.sh dt|params" >&2; exit 2 ;; esac
CHIP=

# load_wqg [DEBOUNCE_MS]: the module, told about the line in params mode.
load_wqg() {
	set -- ${1:+debounce_ms=$1}
	[ "$MODE" = dt ] || set -- "$@" "gpio_chip=$CHIP" gpio_line=0
	ko=$(ls /wqs/extra/$M*.ko 2>/dev/null | head -n 1)
	if [ -n "$ko" ]; then insmod "$ko" "$@"; else modprobe $M "$@"; fi
}
wait_bound() { # SECONDS
	t=0
	while [ ! -e $DEV/edges ] && [ $t -lt $(($1 * 10)) ]; do usleep 100000; t=$((t + 1)); done
	[ -e $DEV/edges ]
}
# (read is the shell's own: polling with cat would start four programs
# each time, slow enough under emulation to change what is measured)
counts() { read -r E <$DEV/edges; read -r H <$DEV/handled; read -r B <$DEV/debounced
	   read -r DR <$DEV/dropped_fifo_full; }
show() { note "$1: edges $E, handled $H, debounced $B, dropped $DR"; }
# wait_accounted SECONDS: until every edge seen is handled, debounced or dropped.
wait_accounted() {
	t=0
	while [ $t -lt $(($1 * 10)) ]; do
		counts
		[ "$E" = $((H + B + DR)) ] && return 0
		usleep 100000
		t=$((t + 1))
	done
	return 1
}
now_cs() { read -r up _ </proc/uptime; echo "${up%.*}${up#*.}"; }	# centiseconds

# toggle N: N edges, alternating, from the line's current pull.
toggle() {
	exec 3>"$PULL"
	st=$(cat "$PULL")
	i=0
	while [ $i -lt "$1" ]; do
		if [ "$st" = pull-up ]; then st=pull-down; else st=pull-up; fi
		echo $st >&3
		i=$((i + 1))
	done
	exec 3>&-
}
# storm_file N: /tmp/storm, N 10-byte records alternating from the
# current pull, for dd bs=10 (one write, one edge per record).
storm_file() {
	if [ "$(cat "$PULL")" = pull-up ]; then
		printf 'pull-down\npull-up\n\000\000' >/tmp/storm
	else
		printf 'pull-up\n\000\000pull-down\n' >/tmp/storm
	fi
	while [ $(($(wc -c </tmp/storm) / 10)) -lt "$1" ]; do
		cat /tmp/storm /tmp/storm >/tmp/storm2 && mv /tmp/storm2 /tmp/storm
	done
	head -c $(($1 * 10)) /tmp/storm >/tmp/storm2 && mv /tmp/storm2 /tmp/storm
}

residue_before
kmemleak_clear

check_begin "gpio-sim $MODE: probe"
modprobe gpio-sim || check_fail "modprobe gpio-sim failed"
dmesg -c >/dev/null
if [ "$MODE" = params ]; then
	# The bank's label, as gpiolib's debugfs names it: "gpiochipN: ...,
	# parent: platform/gpio-sim, LABEL[, can sleep]:".
	CHIP=$(sed -n -e 's/, can sleep:[[:space:]]*$/:/' \
		-e 's/^gpiochip[0-9]*: .*parent: platform\/gpio-sim, \(.*\):[[:space:]]*$/\1/p' \
		/sys/kernel/debug/gpio | head -n 1)
	[ -n "$CHIP" ] || check_fail "no gpio-sim chip in /sys/kernel/debug/gpio"
	log "gpio-sim bank label: $CHIP"
fi
load_wqg 0 || check_fail "loading $M failed"
wait_bound 20 || check_fail "no device bound to $M (dmesg: $(dmesg | grep -i -e gpio -e $M | tail -n 3))"
PULL=$(ls /sys/bus/platform/devices/gpio-sim/gpiochip*/sim_gpio0/pull 2>/dev/null | head -n 1)
[ -n "$PULL" ] || check_fail "no gpio-sim line 0 pull attribute"
dmesg | grep "$M" | head -n 5
dmesg | grep -q "$M button: IRQ [0-9]*, debounce 0 ms" || check_fail "no 'IRQ <n>, debounce 0 ms' line"
check_end
[ -e $DEV/edges ] && [ -n "$PULL" ] || exit 1	# nothing else can work

check_begin "gpio-sim $MODE: 1000"
counts; e0=$E
n=0
while [ $n -lt 10 ]; do
	toggle 100
	wait_accounted 30 || { check_fail "batch $n: edges not all accounted"; break; }
	n=$((n + 1))
done
counts; show "1000 edges, debounce off"
[ "$((E - e0))" = 1000 ] || check_fail "$((E - e0)) edges seen for 1000 written"
[ "$H" = 1000 ] && [ "$B" = 0 ] && [ "$DR" = 0 ] ||
	check_fail "handled $H, debounced $B, dropped $DR: want 1000, 0, 0"
check_end

# reload DEBOUNCE_MS: the module again, with that debounce time.
reload() {
	rmmod $M || check_fail "rmmod failed"
	load_wqg "$1" || check_fail "loading with debounce_ms=$1 failed"
	wait_bound 20 || check_fail "not bound after loading with debounce_ms=$1"
}

if [ "$MODE" = params ]; then
	check_begin "gpio-sim $MODE: debounce"
	reload 1000
	counts; e0=$E h0=$H b0=$B d0=$DR
	sleep 5		# the event lines' rate limit (10 per 5 s) starts afresh
	dmesg -c >/dev/null
	n=0
	while [ $n -lt 5 ]; do
		t0=$(now_cs)
		toggle 10
		t1=$(now_cs)
		[ $((t1 - t0)) -lt 50 ] || note "burst $n took $(((t1 - t0) * 10)) ms"
		wait_accounted 30 || check_fail "burst $n: edges not all accounted"
		sleep 1		# the next burst starts > 1000 ms after this one ended
		n=$((n + 1))
	done
	counts; show "5 bursts of 10 edges, debounce 1000 ms"
	[ $((E - e0)) = 50 ] && [ $((H - h0)) = 5 ] && [ $((B - b0)) = 45 ] && [ $((DR - d0)) = 0 ] ||
		check_fail "new: edges $((E - e0)), handled $((H - h0)), debounced $((B - b0)), dropped $((DR - d0)): want 50, 5, 45, 0"
	lines=$(dmesg | grep -c "$M button: event [0-9]*: .* after 10 edges (9 debounced)")
	dmesg | grep "$M button: event" | head -n 5
	[ "$lines" = 5 ] || check_fail "$lines event lines 'after 10 edges (9 debounced)', want 5"
	check_end
	storms="0 20"
else
	storms=0	# the device tree says debounce-interval = <0>
fi

check_begin "gpio-sim $MODE: storm"
for deb in $storms; do
	[ "$MODE" = dt ] || reload "$deb"
	counts; e0=$E h0=$H b0=$B d0=$DR
	storm_file 5000
	t0=$(now_cs)
	taskset -c 1 dd if=/tmp/storm of="$PULL" bs=10 2>/tmp/dd.err ||
		check_fail "dd: $(cat /tmp/dd.err)"
	t1=$(now_cs)
	wait_accounted 60 || check_fail "storm: edges not all accounted after 60 s"
	t2=$(now_cs)
	counts
	note "storm, debounce $deb ms: 5000 edges written in $(((t1 - t0) * 10)) ms, accounted $(((t2 - t1) * 10)) ms later; new: edges $((E - e0)), handled $((H - h0)), debounced $((B - b0)), dropped $((DR - d0))"
	[ $((E - e0)) = 5000 ] || check_fail "debounce $deb: $((E - e0)) edges seen for 5000 written"
	[ "$E" = $((H + B + DR)) ] || check_fail "debounce $deb: edges $E != $H + $B + $DR"
done
check_end

check_begin "gpio-sim $MODE: unbind"
[ "$MODE" = dt ] || reload 0
storm_file 5000
(while :; do dd if=/tmp/storm of="$PULL" bs=10 2>/dev/null; done) &
writer=$!
dmesg -c >/dev/null
i=0
while [ $i -lt 10 ]; do
	echo button >$D/unbind || check_fail "unbind $i failed"
	usleep $(( (i * 7919) % 200000 ))
	echo button >$D/bind || check_fail "bind $i failed"
	usleep $(( (i * 104729) % 200000 ))
	i=$((i + 1))
done
i=0
while [ $i -lt 3 ]; do
	rmmod $M || check_fail "rmmod $i failed"
	load_wqg 0 || check_fail "reload $i failed"
	wait_bound 10 || check_fail "not bound after reload $i"
	usleep $(( (i * 7919) % 300000 ))
	i=$((i + 1))
done
kill $writer
wait $writer 2>/dev/null
rmmod $M || check_fail "final rmmod failed"
stops=$(dmesg | grep -c "$M button: stopped:")
dmesg | grep "$M button: stopped:" | tail -n 3
bad=$(dmesg | sed -n "s/.*$M button: stopped: \([0-9]*\) edges = \([0-9]*\) handled + \([0-9]*\) debounced + \([0-9]*\) dropped.*/\1 \2 \3 \4/p" |
	while read -r e h b d; do [ "$e" = $((h + b + d)) ] || echo "$e != $h + $b + $d"; done)
note "$stops unbinds while storming; every one accounted: ${bad:-yes}"
[ "$stops" = 14 ] || check_fail "$stops 'stopped:' lines, want 14 (10 unbinds, 4 rmmods)"
[ -z "$bad" ] || check_fail "unaccounted at unbind: $bad"
rmmod gpio-sim 2>/dev/null || true
residue_check $M
check_end
