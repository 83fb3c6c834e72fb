# SPDX-License-Identifier: GPL-2.0
# Exercise 6's check (sourced by scripts/guest/exercise.sh in the guest).
EX_SKELETON_CATCH='nice -20'
ex_run() {
	ex_load || return
	ex_expect 5 || return
	# While loaded: the I/O queue as sysfs and ps show it.
	d=/sys/bus/workqueue/devices/ex06_io
	if [ ! -d $d ]; then
		check_fail "no $d while the module is loaded: ex06_io needs WQ_SYSFS (TODO 2)"
	elif [ ! -e $d/cpumask ]; then
		check_fail "ex06_io is per-CPU ($d has no cpumask): it needs WQ_UNBOUND (TODO 2)"
	fi
	kthreads | grep -q '^kworker/R-ex06_' ||
		check_fail "no rescuer thread kworker/R-ex06_io while the module is loaded: ex06_io needs WQ_MEM_RECLAIM (TODO 2)"
	ex_unload
	ex_residue
}
