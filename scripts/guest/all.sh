# SPDX-License-Identifier: GPL-2.0
# The checks of one test boot.  The host wrote them to /wqs/parts, one
# part per line ("SCRIPT ARGS...", run as sh /wqs/SCRIPT.sh ARGS), and
# the names of every check those parts must report to /wqs/plan; the
# plan goes to the kernel log first, so that a check that never reports
# (a part that is missing, a script that died) is a failure on the host.
# The exit status is 1 only when a part's script is missing.
. /wqs/lib.sh
while IFS= read -r c; do mark "WQS-PLAN $c"; done </wqs/plan
wq_track_init || log "cannot track workqueues: $WQS_TRACK"
status=0
while read -r part args; do
	[ -n "$part" ] || continue
	if [ ! -f "/wqs/$part.sh" ]; then
		echo "<3>wqs: no guest script /wqs/$part.sh for part '$part $args'" >/dev/kmsg
		status=1
		continue
	fi
	log "running $part $args"
	# A part's checks are judged by the host, from their markers; its
	# own exit status says nothing more.
	sh "/wqs/$part.sh" $args || true
done </wqs/parts
exit $status
