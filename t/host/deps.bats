#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Every program that a make target runs (its recipes, its scripts, its
# suites, what they run in the guest) comes from a Debian package that
# contrib/install-deps installs for that target, or that a minimal Debian
# (debootstrap --variant=minbase) has. The commands are found statically
# by t/helpers/commands-used; see there for what counts as a command.
#
#   t/helpers/commands-used FILE...                  what FILE... run
#   t/helpers/commands-used --check "PKGS" FILE...   and whose package is missing

bats_require_minimum_version 1.5.0

# Commands found that no target needs installed, each with why.
ALLOWED=(
	# bin/uvnic-vm: decompressors for kernels or modules packed with
	# them; Debian's 6.1 kernel is xz (xz-utils, in demo), its modules plain.
	zstd lz4
	# t/host/debian.bats: install-deps package; it skips without them.
	dpkg-buildpackage dh dh_dkms dkms git lintian
)

# What each target runs. Makefile:RULE,... is those rules' recipes.
# shellcheck disable=SC2016 # ($(LIB): Make's names, not the shell's)
DEMO_FILES=(
	'Makefile:deps,demo,modules,lib/%.o,$(LIB),bin/%,man/%,t/helpers/%,t/bench/%,lib/%.os,$(SOLIB),bin/uvregmap,kernel/uapi/uvnic_regs.h,t/helpers/gen/uvregmap-skel-model.c,$(SKEL_MODEL),man/uvnic.4,man/uvnic.4.regs'
	contrib/demo contrib/uvnic-net.bash bin/uvnic-vm contrib/install-deps
)
CHECK_FILES=(
	'Makefile:check,check-loaded,stress,boot-check,fuzz,check-unit,check-host,check-kernel,t/unit/%,t/unit/ring-stress-tsan,install-completion,install-bats,census,print-cflags,e1000,8139too,$(E1000_KO),$(RTL8139_KO)'
	t/run-checks t/loaded t/boot-check t/lint-suites t/host/*.bats t/kernel/*.bats t/test_helper/*.bash contrib/bats/uvnic/load.bash contrib/uvpci-port contrib/uvpci-census
	contrib/completion/uvnic
)
# shellcheck disable=SC2016
LINT_FILES=('Makefile:lint,lint-run,$(CHECKPATCH)')
BENCH_FILES=(Makefile:bench,t/bench/ring-bench t/bench/run)
DEBS_FILES=(Makefile:check-debs t/debs-check t/helpers/ci-steps)
# Rules that install or clean: no make target of install-deps runs them.
OTHER_RULES=(install install-kbuild install-dkms modules_install clean)

setup() {
	set +T
	load '../test_helper/common-setup'
	_common_setup
	cd "$UVNIC_TOP" || fail "cannot cd to $UVNIC_TOP"
	CU=$UVNIC_TOP/t/helpers/commands-used
	[ -x "$CU" ] || fail "t/helpers/commands-used is missing or not executable"
	command -v python3 >/dev/null || fail "commands-used needs python3 (install-deps check)"
	command -v dpkg-query >/dev/null || skip "not a Debian system (no dpkg-query)"
	local a
	IGNORE=()
	for a in "${ALLOWED[@]}"; do IGNORE+=(--ignore "$a"); done
}

# check_target GROUP FILE...: the commands of FILE... against install-deps
# GROUP. Their packages must be installed to know their files: make check
# installs demo and check; the others skip until installed (.ci/run has lint).
check_target() {
	local group=$1 pkgs p missing=()
	shift
	pkgs=$(contrib/install-deps --list "$group") || fail "install-deps --list $group failed"
	for p in $pkgs; do
		dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		case $group in
		demo|check) fail "not installed: ${missing[*]} (run: contrib/install-deps $group)" ;;
		*) skip "not installed: ${missing[*]} (run: contrib/install-deps $group)" ;;
		esac
	fi
	run --separate-stderr "$CU" --check "$pkgs" "${IGNORE[@]}" "$@"
	# shellcheck disable=SC2154 # ($stderr: set by run --separate-stderr)
	[ "$status" -eq 0 ] || fail "$(printf 'commands of make %s that install-deps %s does not provide:\n%s' "$group" "$group" "$stderr")"
}

# The bench scripts: the shell scripts in t/bench (not the C programs).
bench_scripts() {
	local f
	for f in t/bench/*; do
		[ -f "$f" ] && [ "${f%.c}" = "$f" ] && head -n 1 "$f" | grep -q '^#!.*sh' && echo "$f"
	done
}

@test "make demo: install-deps demo provides every command it runs" {
	check_target demo "${DEMO_FILES[@]}"
}

@test "make check: install-deps check provides every command it runs" {
	check_target check "${DEMO_FILES[@]}" "${CHECK_FILES[@]}"
}

@test "make lint: install-deps lint provides every command it runs" {
	check_target lint "${LINT_FILES[@]}"
}

@test "make bench: install-deps bench provides every command it runs" {
	local scripts
	mapfile -t scripts < <(bench_scripts)
	[ ${#scripts[@]} -ge 2 ] || fail "found no bench scripts in t/bench"
	check_target bench "${DEMO_FILES[@]}" "${BENCH_FILES[@]}" "${scripts[@]}"
}

@test "contrib/fresh-check: install-deps fresh provides every command it runs" {
	check_target fresh contrib/fresh-check
}

@test "make check-debs: install-deps debs provides every command it runs on the host" {
	check_target debs "${DEBS_FILES[@]}"
}

@test "the demo installs no lint-only package" {
	local demo
	demo=$(contrib/install-deps --list demo)
	for p in sparse linux-source-6.1; do
		! grep -qx "$p" <<<"$demo" || fail "install-deps demo installs $p, which only make lint needs"
	done
}

@test "every Makefile rule with a recipe is checked with some target" {
	local r spec listed=" ${OTHER_RULES[*]} "
	for spec in "${DEMO_FILES[@]}" "${CHECK_FILES[@]}" "${LINT_FILES[@]}" "${BENCH_FILES[@]}" "${DEBS_FILES[@]}"; do
		case $spec in Makefile:*) listed+=" ${spec#Makefile:} " ;; esac
	done
	listed=${listed//,/ }
	run -0 "$CU" --rules Makefile
	[ ${#lines[@]} -ge 10 ] || fail "commands-used --rules found only: $output"
	for r in "${lines[@]}"; do
		[[ $listed == *" $r "* ]] || fail "Makefile rule '$r' is in no target's list in t/host/deps.bats"
	done
}

@test "commands-used: commands in command position, not arguments, data or functions" {
	cat >"$BATS_TEST_TMPDIR/s.bash" <<'EOF'
helper() { c-in-func "$@"; }
wrap() { local n=$1; shift; "$@"; }
strung() { bash -c "$1" >/dev/null; }
c-first arg | c-piped && c-and || c-or; c-semi
x=$(c-subst "$(c-nested)") y=`c-backtick`
if c-if; then c-then; elif c-elif; then :; else c-else; fi
while c-while; do c-do; done
for f in a b; do c-for-body "$f"; done
case $x in
c-pattern) c-case-body ;;
(*) c-case-2 ;;
esac
! c-bang
{ c-brace; } 2>&1
( c-subshell )
run -1 c-run
run ! c-run-bang
timeout -s KILL 5 c-timeout
env -i A=1 c-env
exec c-exec
ip netns exec ns c-netns
command -v c-command-v >/dev/null
printf '%s\n' x | xargs -r c-xargs
bash -c 'c-bash-c; echo not-a-command'
wrap 3 c-wrapped
strung "c-strung | c-strung-piped"
helper not-a-command
echo not-a-command c-not-first
cat <<EOF2 >/dev/null
c-in-heredoc
EOF2
prog=c-var
"$prog" arg
[[ -n $x ]] && c-after-test
trap 'c-trap' EXIT
c-redirected >/dev/null 2>&1 </dev/null
arr=(c-array-word "$(c-in-array)")
(( x = 1 )) && c-after-arith
uvbus-ctl list
bin/uvnic-vm --smp 1 -- c-in-guest
EOF
	run -0 --separate-stderr "$CU" "$BATS_TEST_TMPDIR/s.bash"
	local got want
	got=$(cut -f 1 <<<"$output" | tr '\n' ' ')
	want='bash c-after-arith c-after-test c-and c-backtick c-bang c-bash-c c-brace c-case-2 c-case-body c-command-v c-do c-elif c-else c-env c-exec c-first c-for-body c-if c-in-array c-in-func c-in-guest c-nested c-netns c-or c-piped c-redirected c-run c-run-bang c-semi c-strung c-strung-piped c-subshell c-subst c-then c-timeout c-trap c-var c-while c-wrapped c-xargs cat env ip timeout xargs '
	assert_equal "$got" "$want"
}

@test "commands-used --check fails naming each command whose package is not in the list" {
	printf '%s\n' 'xxd -p /dev/null' 'python3 -c pass | grep -q x' 'uvnic-no-such-cmd --x' \
		>"$BATS_TEST_TMPDIR/s.bash"
	local pkgs
	pkgs=$(contrib/install-deps --list check)
	run -1 "$CU" --check "$(grep -vx xxd <<<"$pkgs")" "$BATS_TEST_TMPDIR/s.bash"
	assert_line --partial "commands-used: xxd ($BATS_TEST_TMPDIR/s.bash:1): from xxd, which neither the list nor a minimal Debian installs"
	assert_line "commands-used: uvnic-no-such-cmd ($BATS_TEST_TMPDIR/s.bash:3): not found in /usr/sbin:/usr/bin:/sbin:/bin"
	refute_line --partial python3
	refute_line --partial grep
	assert_equal "${#lines[@]}" 2

	run -1 "$CU" --check "$(grep -vx python3 <<<"$pkgs")" "$BATS_TEST_TMPDIR/s.bash"
	assert_line --partial 'commands-used: python3 ('
	refute_line --partial 'commands-used: xxd'

	run -0 "$CU" --check "$pkgs" --ignore uvnic-no-such-cmd "$BATS_TEST_TMPDIR/s.bash"
	assert_output ''
}

@test "commands-used --check: a list naming a package that is not installed fails" {
	echo 'true' >"$BATS_TEST_TMPDIR/s.bash"
	run -1 "$CU" --check "xxd uvnic-no-such-package" "$BATS_TEST_TMPDIR/s.bash"
	assert_output "commands-used: the list names uvnic-no-such-package, which is not installed here"
}
