# SPDX-License-Identifier: GPL-2.0
# One mutant (sh mutant.sh NAME): a sample with one planted defect
# (scripts/mutants/NAME.mut), built by scripts/build-extmods, run through
# the same check as the sample itself (judge: load, wait for its expected
# lines, unload, nothing left behind).  The host passes it only when the
# check failed for the planted reason: each mutant shows that the checks
# catch that kind of defect.
. /wqs/lib.sh
[ $# = 1 ] || { echo "usage: sh mutant.sh NAME" >&2; exit 2; }
d=/wqs/mutants/$1
read -r module <"$d/module"
read -r catch <"$d/catch"
check_begin "mutant $1"
expect_catch "$catch"
judge "$d/$module.ko" "/wqs/expect/$module.re" 120
check_end
