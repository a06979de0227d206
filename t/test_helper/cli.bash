# SPDX-License-Identifier: GPL-2.0-or-later
# Checks of a CLI's refusals, for the host suites of the tools built on
# lib/tools/cli.c (every error is one line on stderr, exit 1). Load after
# common-setup:
#	load '../test_helper/cli'

# usage_error WANT CMD...: CMD fails with "TOOL: WANT" and the Try line
# (TOOL: CMD's name), nothing on stdout.
usage_error() {
	local want=$1 tool=${2##*/}
	shift
	run --separate-stderr "$@"
	assert_failure 1
	assert_output ''
	[ "${#stderr_lines[@]}" -eq 2 ] || fail "want 2 stderr lines, got: $stderr"
	assert_equal "${stderr_lines[0]}" "$tool: $want"
	assert_equal "${stderr_lines[1]}" "Try '$tool --help'."
}

# one_error WANT CMD...: CMD fails with the one line "TOOL: WANT".
one_error() {
	local want=$1 tool=${2##*/}
	shift
	run --separate-stderr "$@"
	assert_failure 1
	assert_output ''
	assert_equal "$stderr" "$tool: $want"
}

# man_says_help TOOL PAGE: man/PAGE (built) renders without a warning,
# has EXAMPLES, and holds TOOL --help's usage and glossary lines word for
# word (blanks squeezed); the purpose and epilog paragraphs are the
# DESCRIPTION's gist.
man_says_help() {
	local tool=$1 man=$UVNIC_TOP/man/$2 page line
	[ -f "$man" ] || fail "man/$2 not built (make man)"
	run groff -ww -z -man "$man"
	assert_success
	assert_output ''
	grep -q '^\.SH EXAMPLES' "$man" || fail "$2 has no EXAMPLES"
	page=$(groff -man -Tascii -P-cbou "$man" 2>/dev/null | tr -s '[:space:]' ' ')
	while IFS= read -r line; do
		case $line in
		"Usage: "* | "       $tool "* | "  "*) ;;
		*) continue ;;
		esac
		line=$(printf '%s' "$line" | sed 's/^Usage: //' | tr -s '[:space:]' ' ')
		line=${line# }
		[[ $page == *"$line"* ]] || fail "$2 lacks: $line"
	done < <("$tool" --help)
}
