# SPDX-License-Identifier: GPL-2.0
# One learner exercise (exercises/NN-topic/) in the guest:
#
#	sh exercise.sh NN MODE
#
# MODE: "single" (check name "exercise NN", what scripts/exercise N runs),
# "solution" or "skeleton" (check names "exercise NN solution" and
# "exercise NN skeleton", for scripts/exercise --all; a skeleton must
# fail, for the reason its check.sh names in EX_SKELETON_CATCH).
#
# The host packed into /wqs/extra: the module exNN_topic.ko, the
# exercise's check as exNN.check.sh (it defines ex_run, which uses the
# helpers below) and its expected lines as exNN.expect (one "ERE<TAB>what
# to fix" per line).  Every reason given to check_fail is written for the
# learner: scripts/exercise prints it as the hint.
. /wqs/lib.sh

[ $# = 2 ] || { echo "usage: sh exercise.sh NN single|solution|skeleton" >&2; exit 2; }
# all.sh set up the workqueue tracking once for the boot; should its
# WQS_TRACK not reach this shell, the tracing instance it made says so.
[ "${WQS_TRACK:-}" = ok ] || [ ! -d "$WQT/events/wqs" ] || WQS_TRACK=ok
EX_NN=$1
EX_MODE=$2
X=/wqs/extra
EX_KO=
for f in "$X"/ex"${EX_NN}"_*.ko; do [ -f "$f" ] && EX_KO=$f; done
EX_MOD=$(modname "${EX_KO:-ex${EX_NN}_missing.ko}")
EX_EXPECT=$X/ex$EX_NN.expect
EX_SKELETON_CATCH=
case $EX_MODE in
single) EX_CHECK="exercise $EX_NN" ;;
solution|skeleton) EX_CHECK="exercise $EX_NN $EX_MODE" ;;
*) echo "exercise.sh: unknown mode '$EX_MODE'" >&2; exit 2 ;;
esac

# ---- Helpers for the checks (exercises/NN-topic/check.sh) ---------------

# ex_failed: this check has failed already (later steps would only add
# noise, or trip the kernel's detectors again for the same mistake).
ex_failed() { [ -n "$WQS_WHY" ]; }

# debugobjects prints only the first 5 problems of a boot; its counter
# goes on counting, so a problem found after those is still seen.
odebug_warnings() {
	awk -F: '$1 ~ /^warnings/ { print $2 + 0; found = 1 } END { if (!found) print 0 }' \
		/sys/kernel/debug/debug_objects/stats 2>/dev/null
}

# ex_start: before the first load (what the module leaves is measured
# from here).
ex_start() {
	residue_before
	kmemleak_clear
	EX_ODEBUG0=$(odebug_warnings)
}

# ex_load [ARGS...]: insmod the learner's module; a refused load fails
# the check (ex_load_refused is for the loads that must be refused).
ex_load() {
	since_here
	dmesg -c >/dev/null
	if load_module "$EX_KO" "$@"; then
		return 0
	fi
	check_fail "insmod $EX_MOD${1:+ $*} failed: $(cat /tmp/modprobe.err) (your init returned an error; its messages are below)"
	return 1
}

# ex_load_refused PARAM=VALUE WHY: this load must fail, and say why with
# a message that names the parameter; nothing may stay loaded.
ex_load_refused() {
	since_here
	dmesg -c >/dev/null
	p=${1%%=*}
	if load_module "$EX_KO" "$1"; then
		check_fail "insmod $EX_MOD $1 was accepted: $2"
		unload_module "$EX_MOD" || check_fail "rmmod $EX_MOD failed"
		return 1
	fi
	loaded "$EX_MOD" && check_fail "insmod $EX_MOD $1 failed but the module stayed loaded"
	dmesg | grep -q "$EX_MOD: .*$p" ||
		check_fail "insmod $EX_MOD $1 was refused, but no message of $EX_MOD named '$p': pr_err() what is wrong with it"
	return 0
}

# ex_expect [SECONDS [FILE]]: wait for the expected lines, in order, in
# the kernel log since the last load.  A missing line fails the check
# with the hint written next to it.
ex_expect() {
	f=${2:-$EX_EXPECT}
	cut -f1 "$f" >/tmp/ex.re
	if wait_lines /tmp/ex.re "${1:-60}" >/tmp/ex.miss; then
		return 0
	fi
	miss=$(sed -n 's/^missing: //p' /tmp/ex.miss)
	hint=$(MISS=$miss awk -F'\t' '$1 == ENVIRON["MISS"] { print $2; exit }' "$f")
	shown=$(echo "$miss" | sed -e 's/\\\([().*+?|{}]\)/\1/g' -e 's/\[0-9\]+/N/g')
	check_fail "your module never printed a line like \"$EX_MOD: ${shown#"$EX_MOD: "}\"${hint:+: $hint}"
	return 1
}

# ex_unload: rmmod, which must work.
ex_unload() {
	loaded "$EX_MOD" || return 0
	unload_module "$EX_MOD" || { check_fail "rmmod $EX_MOD failed"; return 1; }
}

# ex_residue: after the last unload: nothing left behind (workqueues,
# kernel threads, leaked memory), and no debugobjects problem since
# ex_start, printed or not.
ex_residue() {
	ex_unload
	ex_failed && return	# failed already: the leak scans would only take time
	residue_check "$EX_MOD"
	n=$(($(odebug_warnings) - EX_ODEBUG0))
	[ "$n" -le 0 ] ||
		check_fail "DEBUG_OBJECTS found $n problem(s) with your timers or work items (freed or re-initialised while still armed or queued)"
}

# ex_clean WHAT: no kernel report since the last load (the host names
# it in the hint) and no new debugobjects problem; otherwise fail, saying
# WHAT was going on, so that a loop of loads stops at the first problem.
ex_clean() {
	if dmesg | grep -qE 'BUG:|WARNING:|KASAN:|ODEBUG:|UBSAN:|Oops|INFO: '; then
		check_fail "the kernel reported a problem $1"
		return 1
	fi
	n=$(($(odebug_warnings) - EX_ODEBUG0))
	[ "$n" -le 0 ] && return 0
	check_fail "DEBUG_OBJECTS found $n problem(s) with your timers or work items $1 (freed or re-initialised while still armed or queued)"
	return 1
}

# ex_dmesg_has ERE: a line of the kernel log since the last load.
ex_dmesg_has() { dmesg | grep -qE "$1"; }

# ex_cpus: the online CPUs, one per line.
ex_cpus() {
	for c in /sys/devices/system/cpu/cpu[0-9]*; do
		o=1
		[ -e "$c/online" ] && read -r o <"$c/online"
		[ "$o" = 1 ] && echo "${c##*cpu}"
	done
}

# ---- The check ------------------------------------------------------------

check_begin "$EX_CHECK"
if [ ! -f "$X/ex$EX_NN.check.sh" ] || [ -z "$EX_KO" ]; then
	check_fail "the host packed no module or no check for exercise $EX_NN"
	check_end
	exit 1
fi
. "$X/ex$EX_NN.check.sh"
[ "$EX_MODE" != skeleton ] || expect_catch "${EX_SKELETON_CATCH:-.}"
ex_start
ex_run
ex_unload
check_end
