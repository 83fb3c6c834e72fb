# SPDX-License-Identifier: GPL-2.0
# wq_gpio_irq on the PL061 line 3 of the arm64 "virt" machine, which QEMU
# pulses for 100 ms at each QMP system_powerdown (scripts/gpio-proof
# presses from the host).  "sh gpio-pl061.sh dt": the device tree has a
# "button" node on that line in place of /gpio-keys; "params": /gpio-keys
# is gone and the module is given gpio_chip=9030000.pl061 gpio_line=3.
# The number of presses comes from wqs.presses= on the command line.
# Checks ("pl061 MODE: "):
#
#  probe:    the button binds to the PL061 line, debounce 20 ms;
#  presses:  N presses give 2N edges, 2N handled, none debounced or
#            dropped, "pressed" and "released" event lines;
#  unbind:   the "stopped:" line adds up; nothing left behind.
. /wqs/lib.sh
# Results go through the kernel log at NOTICE, like the WQS- markers, so
# that they reach the console as whole lines.
note() { echo "<5>wqs: $*" >/dev/kmsg; }

MODE=${1:-dt}
case $MODE in dt) args= ;; params) args="gpio_chip=9030000.pl061 gpio_line=3" ;;
*) echo "usage: sh gpio-pl061.sh dt|params" >&2; exit 2 ;; esac
M=wq_gpio_irq
D=/sys/bus/platform/drivers/$M
DEV=$D/button
N=5
for arg in $(cat /proc/cmdline); do
	case $arg in wqs.presses=*) N=${arg#wqs.presses=} ;; esac
done

counts() { read -r E <$DEV/edges; read -r H <$DEV/handled; read -r B <$DEV/debounced
	   read -r DR <$DEV/dropped_fifo_full; }

residue_before
kmemleak_clear

check_begin "pl061 $MODE: probe"
dmesg -c >/dev/null
ko=$(ls /wqs/extra/$M*.ko 2>/dev/null | head -n 1)
if [ -n "$ko" ]; then insmod "$ko" $args; else modprobe $M $args; fi ||
	check_fail "loading $M failed"
[ -e $DEV/edges ] || check_fail "no device bound to $M"
dmesg | grep "$M"
dmesg | grep -q "$M button: IRQ [0-9]*, debounce 20 ms" || check_fail "no 'IRQ <n>, debounce 20 ms' line"
grep -q "button" /proc/interrupts || check_fail "no 'button' in /proc/interrupts"
grep "button" /proc/interrupts
check_end
[ -e $DEV/edges ] || exit 1	# nothing else can work

check_begin "pl061 $MODE: presses"
# The host presses when it reads this line on the console.
echo "<5>wqs-pl061: ready for $N presses" >/dev/kmsg
t=0
while [ $t -lt 1200 ]; do
	counts
	[ "$E" -ge $((2 * N)) ] && [ "$E" = $((H + B + DR)) ] && break
	usleep 100000
	t=$((t + 1))
done
sleep 1		# nothing more may come
counts
note "$N presses: edges $E, handled $H, debounced $B, dropped $DR, level $(cat $DEV/level)"
dmesg | grep "$M button: event" | tail -n 4
[ "$E" = $((2 * N)) ] || check_fail "$E edges for $N presses, want $((2 * N))"
[ "$H" = $((2 * N)) ] && [ "$B" = 0 ] && [ "$DR" = 0 ] ||
	check_fail "handled $H, debounced $B, dropped $DR: want $((2 * N)), 0, 0"
dmesg | grep -q "$M button: event [0-9]*: pressed" || check_fail "no 'pressed' event line"
dmesg | grep -q "$M button: event [0-9]*: released" || check_fail "no 'released' event line"
[ "$(cat $DEV/level)" = 0 ] || check_fail "level $(cat $DEV/level) after the last release"
check_end

check_begin "pl061 $MODE: unbind"
echo button >$D/unbind || check_fail "unbind failed"
line=$(dmesg | grep "$M button: stopped:")
echo "$line"
echo "$line" | grep -q "stopped: $E edges = $H handled + $B debounced + $DR dropped" ||
	check_fail "the stopped line does not match the counters"
rmmod $M || check_fail "rmmod failed"
residue_check $M
check_end

[ "$WQS_FAILED" = 0 ]
