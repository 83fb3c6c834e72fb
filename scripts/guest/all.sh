# SPDX-License-Identifier: GPL-2.0
# Everything the test command checks in one boot per architecture: the
# samples, the KUnit suite, the benchmark's correctness in short mode,
# and last the teardown lesson's wrong way (it leaves a splat behind).
. /wqs/lib.sh
for part in samples kunit bench-short teardown-wrong; do
	[ -f "/wqs/$part.sh" ] || continue
	echo "wqs: running $part"
	sh "/wqs/$part.sh"
done
exit 0
