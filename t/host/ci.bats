#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# contrib/ci/: the GitHub Actions workflow and the .gitlab-ci.yml example
# run the same commands, the ones t/debs-check (make check-debs) runs in a
# clean chroot, read from the workflow by t/helpers/ci-steps. (The
# example driver builds against the installed kit in install.bats.)

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	_common_setup
	CI=$UVNIC_TOP/contrib/ci
	STEPS=$UVNIC_TOP/t/helpers/ci-steps
}

@test "the GitHub workflow and the GitLab example run the same commands" {
	run -0 "$STEPS" --lines "$CI/github-actions.yml"
	local gh=$output
	run -0 "$STEPS" --lines "$CI/gitlab-ci.yml"
	assert_equal "$output" "$gh"
}

@test "the example's steps: install the .debs, make, the suite through uvnic-vm with the driver" {
	run -0 "$STEPS" --lines "$CI/github-actions.yml"
	assert_line --regexp '^apt-get install .*\./uvnic-debs/\*\.deb$'
	assert_line make
	assert_line --regexp '^uvnic-vm --module mydrv\.ko -- bats t/$'
	# and t/debs-check takes them from the file, one step per run:
	run -0 bash -c "'$STEPS' '$CI/github-actions.yml' | tr -cd '\\0' | wc -c"
	assert_output 4
	run -0 grep -F 't/helpers/ci-steps" "$ci"' "$UVNIC_TOP/t/debs-check"
}

@test "ci-steps: run blocks dedented, one-line runs, uses skipped; a script list" {
	printf '%s\n' 'jobs:' '  a:' '    steps:' '      - uses: actions/checkout@v4' \
		'      - name: x' '        run: |' '          echo one' '            indented' '' '          echo two' \
		'      - run: echo three' '    env:' '      A: 1' >"$BATS_TEST_TMPDIR/my-github.yml"
	run -0 "$STEPS" --lines "$BATS_TEST_TMPDIR/my-github.yml"
	assert_equal "$output" "$(printf '%s\n' 'echo one' '  indented' '' 'echo two' 'echo three')"
	printf '%s\n' 'job:' '  image: debian' '  script:' '    # a comment' '    - echo a' '    - make' \
		'  after_script:' '    - echo not-this' >"$BATS_TEST_TMPDIR/my-gitlab.yml"
	run -0 "$STEPS" --lines "$BATS_TEST_TMPDIR/my-gitlab.yml"
	assert_equal "$output" "$(printf '%s\n' 'echo a' 'make')"
	printf 'nothing: here\n' >"$BATS_TEST_TMPDIR/x-gitlab.yml"
	run -1 "$STEPS" "$BATS_TEST_TMPDIR/x-gitlab.yml"
	assert_output "ci-steps: $BATS_TEST_TMPDIR/x-gitlab.yml: no steps found"
}
