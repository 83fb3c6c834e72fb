# SPDX-License-Identifier: GPL-2.0
# Exercise 5's check (sourced by scripts/guest/exercise.sh in the guest).
# insmod runs pinned to one CPU and asks for another, so that an item
# queued on the local CPU shows; then every bad CPU must be refused.
EX_SKELETON_CATCH='ran on CPU'
ex_run() {
	set -- $(ex_cpus)
	[ $# -ge 3 ] || { check_fail "this check needs 3 online CPUs, the guest has $#"; return; }
	pin=$1 want=$2
	eval last=\${$#}
	possible=$(ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l)
	printf 'ex05_percpu: asked for CPU %s, ran on CPU %s\t%s\n' "$want" "$want" \
		'queue the item on that CPU with queue_work_on() (TODO 2)' >/tmp/ex05.expect
	since_here
	dmesg -c >/dev/null
	if ! taskset -c "$pin" insmod "$EX_KO" cpu="$want" 2>/tmp/modprobe.err; then
		check_fail "insmod $EX_MOD cpu=$want failed: $(cat /tmp/modprobe.err) (CPU $want is online: accept it)"
		return
	fi
	ex_expect 5 /tmp/ex05.expect || return
	ex_unload
	# Every bad CPU refused, the offline one first (the least harmful).
	echo 0 >"/sys/devices/system/cpu/cpu$last/online" ||
		{ check_fail "cannot take CPU $last offline"; return; }
	ex_load_refused "cpu=$last" "CPU $last is offline: check cpu_online() under cpus_read_lock() (TODO 1)"
	echo 1 >"/sys/devices/system/cpu/cpu$last/online" ||
		check_fail "cannot bring CPU $last back online"
	ex_failed && return
	ex_load_refused "cpu=-1" "a negative CPU number must be refused (TODO 1)" || return
	ex_load_refused "cpu=$possible" "there is no CPU $possible (nr_cpu_ids is $possible): refuse it (TODO 1)" || return
	ex_load_refused "cpu=4096" "there is no CPU 4096: refuse it (TODO 1)" || return
	ex_residue
}
