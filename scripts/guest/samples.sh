# SPDX-License-Identifier: GPL-2.0
# One sample (sh samples.sh MODULE [PATH]) under the debug options, two
# checks:
#
#  scenario:    load with defaults, wait for the "Expected output" lines of
#               its header in order, unload;
#  reliability: 8 load/unload cycles with the unload at varying moments;
#               every bad value of every parameter refused at load and at
#               run time with a clear message and nothing changed;
#               concurrent valid writes to the writable parameters from
#               every CPU.  Its "wqs:" line says where the time went.
#
# Both end with nothing left behind (residue_check in lib.sh: no
# workqueue, no kernel thread; no unreferenced memory, scanned for once,
# at the end, for both).  Splats are
# caught by the host, which reads the whole kernel log.  With PATH, the
# module is loaded from that file (insmod) instead of modprobe: a
# mutant (mutant.sh) goes through exactly these checks.
. /wqs/lib.sh

CYCLES=${CYCLES:-8}
NCPU=$(grep -c '^processor' /proc/cpuinfo)
[ "$NCPU" -gt 0 ] || NCPU=$(ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l)
POSSIBLE=$(ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l)
BAD=0

load() { shift; load_module "$SRC" "$@"; }
unload() { unload_module "$1"; }

# Parameters of MODULE as "name|type|description", from the module itself
# ("parm" lists them all; "parmtype" only those of plain module_param()).
params() {
	modinfo -F parm "$SRC" | while IFS= read -r line; do
		n=${line%%:*}
		t=$(modinfo -F parmtype "$SRC" | sed -n "s/^$n://p")
		echo "$n|$t|${line#*:}"
	done
}

# Values a parameter must refuse, from its description's "(MIN-MAX" /
# "(online CPU" / "(bool" / "(charp" part.
bad_values() { # TYPE DESC
	case $2 in
	*"(online CPU"*)
		echo "-1 $POSSIBLE 4096 99999999999 abc 1x" ;;
	*"(bool"*)	# kstrtobool() takes y/n/1/0/on/off and their long forms
		echo "abc 2 -1" ;;
	*"(GPIO chip label"*)
		echo "no-such-gpio-chip" ;;
	*)
		r=$(echo "$2" | sed -n 's/.*(\(-\{0,1\}[0-9][0-9]*\)-\([0-9][0-9]*\)[,)].*/\1 \2/p')
		[ -n "$r" ] || return 0
		set -- $r
		echo "$(($1 - 1)) $(($2 + 1)) 4294967296 99999999999999999999 abc 1x"
		[ "$1" -gt 0 ] && echo "-1" ;;
	esac
}

# A valid value to write at run time: the minimum, and the default.
good_values() { # DESC
	case $1 in
	*"(online CPU"*) echo "0 $((NCPU - 1))" ;;
	*"(bool"*) echo "1 0" ;;
	*)
		min=$(echo "$1" | sed -n 's/.*(\(-\{0,1\}[0-9][0-9]*\)-[0-9][0-9]*[,)].*/\1/p')
		def=$(echo "$1" | sed -n 's/.*default \(-\{0,1\}[0-9][0-9]*\)).*/\1/p')
		echo "$min $def" ;;
	esac
}

# cpu_down / cpu_up: take the last CPU offline and back, so that an
# "online CPU" parameter can be given a CPU that exists but is offline.
LASTCPU=/sys/devices/system/cpu/cpu$((NCPU - 1))/online
cpu_down() { [ -e "$LASTCPU" ] && echo 0 >"$LASTCPU"; }
cpu_up() { echo 1 >"$LASTCPU" || check_fail "cannot bring CPU $((NCPU - 1)) back online"; }

# refuse_load MODULE PARAM VALUE [NOTE]: loading with PARAM=VALUE must
# fail, with a message naming PARAM, and leave nothing loaded.
refuse_load() {
	BAD=$((BAD + 1))
	if load "$1" "$2=$3"; then
		check_fail "$1 accepted $2=$3$4 at load"
		unload "$1"
		dmesg -c >/dev/null
		return
	fi
	loaded "$1" && check_fail "$1 stayed loaded after refusing $2=$3$4"
	# (reads and clears the log: the next value starts afresh)
	dmesg -c | grep -q "$2" || check_fail "no message naming '$2' when $2=$3$4 was refused"
}

# refuse_write MODULE PARAM VALUE [NOTE]: writing VALUE to the loaded
# module's PARAM must fail and leave its value as it was.
refuse_write() {
	BAD=$((BAD + 1))
	read -r before <"/sys/module/$1/parameters/$2"
	echo "$3" >"/sys/module/$1/parameters/$2" 2>/dev/null &&
		check_fail "$1 accepted $2=$3$4 at run time"
	read -r after <"/sys/module/$1/parameters/$2"
	[ "$after" = "$before" ] || check_fail "$2 changed after refusing $3$4"
}

# refuse_offline_cpu refuse_load|refuse_write MODULE PARAM: the same with
# PARAM set to a CPU that exists but is offline (the last one).
refuse_offline_cpu() {
	v=$((NCPU - 1))
	cpu_down || { check_fail "cannot take CPU $v offline"; return; }
	"$1" "$2" "$3" "$v" " (CPU $v offline)"
	cpu_up
}

scenario() { # MODULE
	m=$1
	check_begin "sample $m scenario"
	NO_KMEMLEAK_SCAN=1
	judge "$SRC" "/wqs/expect/$m.re" 180
	NO_KMEMLEAK_SCAN=0
	check_end
}

reliability() { # MODULE
	m=$1
	check_begin "sample $m reliability"
	residue_before
	kmemleak_clear
	LOADS=0 UNLOADS=0
	T0=$(uptime_s)
	i=0
	while [ $i -lt "$CYCLES" ]; do
		# 0 ms (pending), then moments spread over the first 1.2 s.
		wait_ms=$(( (i * 7919) % 1200 ))
		[ $((i % 4)) = 0 ] && wait_ms=0
		if load "$m"; then
			[ $wait_ms = 0 ] || ms $wait_ms
			unload "$m" || { check_fail "rmmod $m failed in cycle $i"; break; }
		else
			check_fail "modprobe $m failed in cycle $i: $(cat /tmp/modprobe.err)"
			break
		fi
		i=$((i + 1))
	done
	T1=$(uptime_s) B0=$BAD

	params "$m" >/tmp/params
	dmesg -c >/dev/null
	while IFS='|' read -r p t d; do
		[ -n "$(bad_values "$t" "$d")" ] ||
			check_fail "parameter $p: its description names no range, so no bad value can be tried: '$d'"
		for v in $(bad_values "$t" "$d"); do
			refuse_load "$m" "$p" "$v"
		done
		case $d in *"(online CPU"*) refuse_offline_cpu refuse_load "$m" "$p" ;; esac
	done </tmp/params

	T2=$(uptime_s)
	# Run-time writes: bad ones refused and nothing changed, then valid
	# ones from every CPU at once.
	if load "$m"; then
		while IFS='|' read -r p t d; do
			f=/sys/module/$m/parameters/$p
			# Writable by its mode (-w is always true for root).
			mode=$(stat -c %a "$f")
			case ${mode%??} in [2367]) ;; *) continue ;; esac
			for v in $(bad_values "$t" "$d"); do
				refuse_write "$m" "$p" "$v"
			done
			case $d in *"(online CPU"*) refuse_offline_cpu refuse_write "$m" "$p" ;; esac
			good=$(good_values "$d")
			[ -n "$good" ] || continue
			c=0
			while [ $c -lt "$NCPU" ]; do
				taskset -c $c sh -c "for r in 1 2 3 4 5 6 7 8; do
					for v in $good; do echo \$v >$f || echo 'wqs: write failed: $p='\$v; done
				done" &
				c=$((c + 1))
			done
			wait
		done </tmp/params
		unload "$m" || check_fail "rmmod $m failed after the run-time writes"
	else
		check_fail "modprobe $m failed: $(cat /tmp/modprobe.err)"
	fi
	T3=$(uptime_s)
	residue_check "$m"
	echo "wqs: $m: $i load/unload cycles in $((T1 - T0)) s, $((BAD - B0)) bad values in $((T2 - T1)) s, run-time writes in $((T3 - T2)) s, leak and residue check in $(($(uptime_s) - T3)) s"
	check_end
}

[ $# -ge 1 ] || { echo "usage: sh samples.sh MODULE [PATH.ko]" >&2; exit 2; }
SRC=${2:-$1}
scenario "$1"
reliability "$1"
mark "wqs: $1: $LOADS loads, $UNLOADS unloads, $BAD bad inputs tried"
[ "$WQS_FAILED" = 0 ]
