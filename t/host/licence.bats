#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# One licence story: every tracked file (but README and the few data files
# that cannot carry a comment) names its licence in an SPDX line near its
# top, and the licence is its layer's, as README says:
#   kernel/uapi/   GPL-2.0 WITH Linux-syscall-note (included by userspace)
#   kernel/        GPL-2.0 (the modules)
#   lib/, contrib/bats/   LGPL-2.1-or-later (linked or loaded by users' code)
#   the rest       GPL-2.0-or-later (tools, tests, scripts, man pages)

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	_common_setup
	cd "$UVNIC_TOP" || exit 1
	git rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout: no list of tracked files"
}

# The licence a path's layer gives it.
layer_licence() {
	case $1 in
	kernel/uapi/*) echo 'GPL-2.0 WITH Linux-syscall-note' ;;
	kernel/*) echo 'GPL-2.0' ;;
	lib/* | contrib/bats/*) echo 'LGPL-2.1-or-later' ;;
	*) echo 'GPL-2.0-or-later' ;;
	esac
}

@test "every tracked file has its layer's SPDX line in its first three lines" {
	local f want got bad=()
	while IFS= read -r f; do
		case $f in
		README | .gitignore | debian/* | *.json) continue ;;
		esac
		want=$(layer_licence "$f")
		got=$(head -n 3 -- "$f" | sed -n 's/.*SPDX-License-Identifier: \(.*\)$/\1/p' | sed 's| *\*/$||' | head -n 1)
		[ "$got" = "$want" ] || bad+=("$f: '${got:-none}', its layer's is '$want'")
	done < <(git ls-files)
	[ ${#bad[@]} = 0 ] || fail "$(printf '%s\n' "${bad[@]}")"
}

@test "README states the same licences" {
	run -0 grep -F 'GPL-2.0 WITH Linux-syscall-note' README
	run -0 grep -F 'LGPL-2.1-or-later' README
	run -0 grep -F 'GPL-2.0-or-later' README
}
