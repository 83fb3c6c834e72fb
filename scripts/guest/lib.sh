# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest scripts (busybox sh).  Every check prints
#   WQS-BEGIN <name>, then WQS-PASS <name> | WQS-FAIL <name>: why |
#   WQS-SKIP <name>: why, then WQS-END <name>;
# the host counts those lines and pins any kernel splat printed between
# BEGIN and END on that check.

# Under emulation with every debug option on, starting a program costs
# about 0.15 s of guest CPU time (a shell builtin, a few ms): the helpers
# read files with the shell's own "read", test /sys instead of grepping,
# and wait by blocking on /dev/kmsg rather than polling dmesg.

WQS_CUR=
WQS_FAILED=0

# Markers go through the kernel log (level NOTICE, so the console shows
# them): printk writes whole lines, while the shell's own output and the
# kernel's could be interleaved in the middle of a line on the console.
mark() { echo "<5>$*" >/dev/kmsg; }
log() { echo "<6>wqs: $*" >/dev/kmsg; }

check_begin() { WQS_CUR=$1; WQS_WHY=; mark "WQS-BEGIN $1"; }
# Every reason is kept, the first one first.
check_fail() { WQS_WHY=${WQS_WHY:+$WQS_WHY; }$*; echo "wqs: $WQS_CUR: $*"; }
check_end() {
	if [ -n "$WQS_WHY" ]; then
		mark "WQS-FAIL $WQS_CUR: $WQS_WHY"
		WQS_FAILED=$((WQS_FAILED + 1))
	else
		mark "WQS-PASS $WQS_CUR"
	fi
	mark "WQS-END $WQS_CUR"
}
# The host accepts kernel splats matching ERE in the current check only.
expect_splat() { mark "WQS-EXPECT-SPLAT $1"; }
# The current check runs a planted defect (a canary or a mutant): the host
# passes it only if it failed, and what failed it (its reason or a kernel
# splat) matches ERE.
expect_catch() { mark "WQS-EXPECT-CATCH $1"; }

# ms N: sleep N milliseconds, with the shell's own "read -t" on a FIFO
# that nobody writes (usleep would start a program each time).
ms() {
	[ -p /tmp/ms.fifo ] || mkfifo /tmp/ms.fifo
	set -- $(($1 / 1000)) $((1000 + $1 % 1000))
	read -r -t "$1.${2#1}" _ <>/tmp/ms.fifo
	return 0
}

# lines_in_order RE_FILE: 0 when dmesg holds every regex of RE_FILE, in
# order; otherwise prints the first expected line that is missing.
lines_in_order() {
	dmesg | awk -v REF="$1" '
		BEGIN { while ((getline l < REF) > 0) re[n++] = l; i = 0 }
		i < n && $0 ~ re[i] { i++ }
		END { if (i < n) { print "missing: " re[i]; exit 1 } }'
}

# since_here: start a stretch of the kernel log that kmsg_wait reads (a
# unique record, at debug level so the console does not show it).
WQS_SEQ=0
since_here() {
	WQS_SEQ=$((WQS_SEQ + 1))
	WQS_SINCE="wqs-since $$.$WQS_SEQ"
	echo "<7>$WQS_SINCE" >/dev/kmsg
}

# kmsg_open / kmsg_close: a reader of /dev/kmsg into a FIFO, which hands
# each kernel log record to the reader as it is written, so that waiting
# for a line costs nothing (polling dmesg would start programs all the
# time).  busybox awk cannot read /dev/kmsg itself: it reads in pieces too
# small for a long record, and the kernel refuses those reads.
# A new reader starts at the oldest record; when the log is full, the
# kernel overwrites that record at once and the read fails with EPIPE
# after moving the reader on to the oldest record left.  cat stops at the
# error, so another cat goes on from the same open file, which keeps the
# position: no record is read twice.
KMSG_FIFO=/tmp/kmsg.fifo
kmsg_open() {
	[ -p $KMSG_FIFO ] || mkfifo $KMSG_FIFO
	(
		exec 3</dev/kmsg
		trap 'kill $c 2>/dev/null; exit 0' TERM
		while :; do
			cat <&3 &
			c=$!
			wait $c
		done
	) >$KMSG_FIFO 2>/dev/null &
	KMSG_PID=$!
}
kmsg_close() { kill "$KMSG_PID" 2>/dev/null; wait "$KMSG_PID" 2>/dev/null; }

# kmsg_wait SECONDS RE_FILE: wait until the kernel log, since the last
# since_here, has a line matching each ERE of RE_FILE, in that order;
# "timeout" gives up after SECONDS.
kmsg_wait() {
	kmsg_open
	timeout "$1" awk -v REF="$2" -v START="$WQS_SINCE" '
		BEGIN { i = 0; while ((getline l < REF) > 0) re[n++] = l; if (!n) { ok = 1; exit } }
		/^ / { next }			# a record'"'"'s key=value dictionary
		{ sub(/^[^;]*;/, "") }		# its level, sequence, time, flags
		!go { go = ($0 == START); next }
		$0 ~ re[i] { if (++i == n) { ok = 1; exit } }
		END { exit !ok }' <$KMSG_FIFO 2>/dev/null
	set -- $?
	kmsg_close
	return "$1"
}

# wait_lines RE_FILE SECONDS: wait (from the last since_here) until every
# line of RE_FILE has come, in order; if not, print the first missing one
# (from dmesg, which the caller cleared when it called since_here).
wait_lines() {
	kmsg_wait "$2" "$1" && return 0
	lines_in_order "$1"
	return 1
}

# wait_dmesg ERE SECONDS: wait (from the last since_here) for a line.
wait_dmesg() {
	echo "$1" >/tmp/wait.re
	kmsg_wait "$2" /tmp/wait.re
}

# A loadable module is loaded while its /sys/module/NAME/initstate exists.
loaded() { [ -e "/sys/module/$1/initstate" ]; }

# ---- What a module leaves behind --------------------------------------
#
# residue_before, then residue_check MODULE: after MODULE's rmmod nothing
# it made may be left: no workqueue of any kind (every
# alloc_workqueue()/devm_alloc_workqueue() return is traced by kprobe
# events and must meet its destroy_workqueue()), no kernel thread (a
# rescuer, a kthread, an IRQ thread), no unreferenced memory (kmemleak),
# and the module itself unloaded.  Timers and work items left armed in
# freed memory are reported by DEBUG_OBJECTS_FREE, or crash when they
# fire; both are kernel splats, which fail the check on the host.

TR=/sys/kernel/tracing
WQT=$TR/instances/wqs
# wq_track_init: once per boot (all.sh).  Without it every residue check
# fails.  Its verdict is kept in /tmp/wqs-track for every later script.
wq_track_init() {
	wq_track_do
	echo "$WQS_TRACK" >/tmp/wqs-track
	[ "$WQS_TRACK" = ok ]
}
[ ! -f /tmp/wqs-track ] || read -r WQS_TRACK </tmp/wqs-track
wq_track_do() {
	[ -d $TR/instances ] || { WQS_TRACK="no tracefs"; return 1; }
	for p in 'r:wqs/wq_alloc alloc_workqueue_noprof wq=$retval:x64' \
		 'r:wqs/wq_alloc_devm devm_alloc_workqueue_noprof wq=$retval:x64' \
		 'r:wqs/wq_alloc_ldmap alloc_workqueue_lockdep_map wq=$retval:x64' \
		 'p:wqs/wq_name alloc_workqueue_noprof fmt=+0($arg1):string' \
		 'p:wqs/wq_name_devm devm_alloc_workqueue_noprof fmt=+0($arg2):string' \
		 'p:wqs/wq_destroy destroy_workqueue wq=$arg1:x64'; do
		echo "$p" >>$TR/kprobe_events 2>/dev/null ||
			{ WQS_TRACK="cannot set the kprobe event '$p'"; return 1; }
	done
	mkdir -p $WQT && echo 1 >$WQT/events/wqs/enable ||
		{ WQS_TRACK="cannot enable the kprobe events"; return 1; }
	WQS_TRACK=ok
}
# workqueues_left: the workqueues made since the last residue_before and
# not destroyed since, one per line: "0xADDR fmt (by caller)".
workqueues_left() {
	awk '
		/ wq_name(_devm)?: / { n = $0; sub(/.*fmt="/, "", n); sub(/"$/, "", n); name = n; next }
		/ wq_alloc[a-z_]*: / {
			a = $NF; sub(/^wq=/, "", a)
			if (a == "0x0" || a == "0") next
			by = $0; sub(/.*: \(/, "", by); sub(/ <- .*/, "", by)
			live[a] = "\"" name "\" (made by " by ")"; next }
		/ wq_destroy: / { a = $NF; sub(/^wq=/, "", a); delete live[a] }
		END { for (a in live) print a, live[a] }' $WQT/trace
}
kthreads() {
	local s l c
	for s in /proc/[0-9]*/stat; do
		read -r l <"$s" 2>/dev/null || continue
		c=${l#*(}
		c=${c%)*}
		set -- ${l##*) }
		[ "$2" = 2 ] || continue
		case $c in kworker/[0-9]*:*|kworker/u[0-9]*:*) continue ;; esac
		echo "$c"
	done | sort
}
residue_before() {
	KT0=$(kthreads)
	[ "$WQS_TRACK" != ok ] || : >$WQT/trace
}
residue_check() { # MODULE
	local left kt new
	loaded "$1" && check_fail "$1 still loaded after rmmod"
	if [ "$WQS_TRACK" != ok ]; then
		check_fail "cannot see workqueues: ${WQS_TRACK:-wq_track_init not run}"
	else
		left=$(workqueues_left)
		[ -z "$left" ] || check_fail "workqueue left after rmmod (no destroy_workqueue()): $(echo $left)"
	fi
	kt=$(kthreads)
	if [ "$kt" != "$KT0" ]; then
		new=$(echo "$kt" | grep -vxF "$KT0" | tr '\n' ' ')
		[ -z "$new" ] || check_fail "kernel thread left after rmmod: $new"
	fi
	# NO_KMEMLEAK_SCAN=1: a later check of the same module scans (each
	# scan reads all memory: tens of seconds under emulation).  Leaks
	# found by no scan are not affected by kmemleak_clear, so the later
	# scan still reports them.
	[ "${NO_KMEMLEAK_SCAN:-0}" = 1 ] ||
		kmemleak_check || check_fail "kmemleak found unreferenced memory: $KMEMLEAK_FIRST"
}

kmemleak_clear() { echo clear >/sys/kernel/debug/kmemleak 2>/dev/null || true; }

# kmemleak_check: objects must be 5 s old before kmemleak reports them,
# and an object whose contents changed since the previous scan (a new
# one, on its first scan) is not reported in that scan: scan twice, as
# Documentation/dev-tools/kmemleak.rst advises, the second at least 6 s
# after the check began.  (One scan missed the canary in every boot.)
# A leak is what the kmemleak file holds after the scans (debugfs files
# report size 0: read them).  The report goes to the kernel log too, so
# the host sees it.
uptime_s() { read -r up _ </proc/uptime; echo "${up%.*}"; }
kmemleak_check() {
	KMEMLEAK_FIRST=
	[ -e /sys/kernel/debug/kmemleak ] || { KMEMLEAK_FIRST="no kmemleak in this kernel"; return 1; }
	t0=$(uptime_s)
	echo scan >/sys/kernel/debug/kmemleak
	el=$(($(uptime_s) - t0))
	[ "$el" -ge 6 ] || sleep $((6 - el))
	echo scan >/sys/kernel/debug/kmemleak
	read -r KMEMLEAK_FIRST </sys/kernel/debug/kmemleak
	[ -n "$KMEMLEAK_FIRST" ] || return 0
	head -n 40 /sys/kernel/debug/kmemleak | while IFS= read -r l; do
		echo "<4>wqs-kmemleak: $l" >/dev/kmsg
	done
	kmemleak_clear
	return 1
}

# lockdep_on: lockdep is still checking (it turns itself off after its
# first report, and KASAN turns it off too).
lockdep_on() {
	awk '$1 == "debug_locks:" { found = 1; on = ($2 == 1) } END { exit !(found && on) }' \
		/proc/lockdep_stats 2>/dev/null
}

# ---- Loading a module the way the checks do ----------------------------
#
# A module is either the kernel's own (modprobe NAME) or a file (insmod
# PATH: canaries, mutants, a learner's module); MODULE is its name.
load_module() { # NAME|PATH [ARGS...]
	local f
	LOADS=$((LOADS + 1))
	case $1 in
	*/*) f=$1; shift; insmod "$f" "$@" 2>/tmp/modprobe.err ;;
	*) modprobe "$@" 2>/tmp/modprobe.err ;;
	esac
}
unload_module() { UNLOADS=$((UNLOADS + 1)); rmmod "$1"; }
modname() { local n=${1##*/}; echo "${n%.ko}"; }
LOADS=0 UNLOADS=0

# judge NAME|PATH [RE_FILE [WAIT]]: load with defaults, wait (up to WAIT s,
# default 180) for the lines of RE_FILE in order, unload, and check that
# nothing was left behind.  Call between check_begin and check_end.
judge() {
	local m n
	m=$(modname "$1")
	residue_before
	kmemleak_clear
	since_here
	dmesg -c >/dev/null
	if ! load_module "$1"; then
		check_fail "loading $m failed: $(cat /tmp/modprobe.err)"
	elif [ -n "${2:-}" ] && [ ! -s "$2" ]; then
		check_fail "no expected lines for $m ($2): its source has no \"Expected output\" block"
	elif [ -n "${2:-}" ]; then
		n=$(wc -l <"$2")
		if wait_lines "$2" "${3:-180}" >/tmp/miss; then
			log "$m: all $n expected lines, in order"
		else
			check_fail "$(cat /tmp/miss)"
			dmesg | grep "$m" | tail -n 20
		fi
	fi
	loaded "$m" && { unload_module "$m" || check_fail "rmmod $m failed"; }
	residue_check "$m"
}
