#!/usr/bin/env bash
# The manual page and the completions generated in the build know every subcommand, family,
# kind and option of the program. The truth comes from the program's own --help, command by
# command; the completions are run for real in bash, zsh and fish.
#
#   self_doc_test.sh IPCSCOPE SHARE_DIR     (SHARE_DIR: the build's man1/ and completions/)
set -uo pipefail
exe=$1 share=$2
man=$share/man1/ipcscope.1 bashc=$share/completions/ipcscope.bash zshc=$share/completions/_ipcscope
fishc=$share/completions/ipcscope.fish
fail=0
check() { local what=$1; shift; if "$@"; then :; else echo "FAIL $what"; fail=1; fi; }
has_word() { [[ " $1 " == *" $2 "* ]]; }
for f in "$man" "$bashc" "$zshc" "$fishc"; do check "generated $f" test -s "$f"; done
[ $fail -eq 0 ] || exit 1

# Every command path, from --help: "Subcommands:" lists the children of each command.
subcommands_of() {  # PATH...: the names listed under "Subcommands:" in that command's help
  "$exe" "$@" --help | awk '/^Subcommands:/ { on = 1; next } on && /^[^ ]/ { on = 0 } on && NF { print $1 }'
}
options_of() {  # PATH...: the long options in that command's help
  "$exe" "$@" --help | awk '/^Subcommands:/ { exit } { print }' | grep -oE '(^|[ ,])--[a-z][a-z-]*' | sed 's/^[ ,]//' | sort -u
}
paths=("")
for (( i = 0; i < ${#paths[@]}; i++ )); do
  read -ra words <<<"${paths[i]}"
  for s in $(subcommands_of ${words[@]+"${words[@]}"}); do paths+=("${paths[i]:+${paths[i]} }$s"); done
done
echo "commands: ${paths[*]:1}"
check "the program has subcommands" test ${#paths[@]} -gt 5

# Completion runners: each prints the candidates for the words typed (the last one being completed).
bash_complete() {
  bash --norc -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _ipcscope; printf "%s " "${COMPREPLY[@]}"' _ "$bashc" "$@"
}
zsh_complete() {
  zsh -f -c 'compadd() { [[ $1 == -- ]] && shift; print -rn -- "$* "; }; _files() { :; }
             source "$1" 2>/dev/null; shift; words=("$@"); CURRENT=$#; PREFIX=${words[CURRENT]}; _ipcscope' _ "$zshc" "$@"
}
fish_complete() {
  local line="$*"
  fish --no-config -c 'source $argv[1]; complete -C$argv[2]' "$fishc" "$line" | cut -f1 | tr '\n' ' '
}
shells=(bash zsh fish)

for p in "${paths[@]:1}"; do
  read -ra words <<<"$p"
  name=${words[-1]}
  parent=("${words[@]:0:${#words[@]}-1}")
  check "man page has a section for 'ipcscope $p'" grep -qF ".SS \"ipcscope $p\"" "$man"
  opts=$(options_of "${words[@]}")
  for sh in "${shells[@]}"; do
    got=$(${sh}_complete ipcscope ${parent[@]+"${parent[@]}"} "")
    check "$sh completes '$name' after 'ipcscope ${parent[*]}' (got: $got)" has_word "$got" "$name"
    got=$(${sh}_complete ipcscope "${words[@]}" --)
    for o in $opts; do
      check "$sh completes $o after 'ipcscope $p' (got: $got)" has_word "$got" "$o"
    done
  done
done

# Families and kinds, from the program's capability table.
names=$("$exe" kinds --json | grep -oE '"(family|kind)": *"[a-z-]+"' | sed -E 's/.*"([a-z-]+)"$/\1/' | sort -u)
check "kinds --json names families and kinds" test "$(wc -w <<<"$names")" -gt 10
for sh in "${shells[@]}"; do
  got=$(${sh}_complete ipcscope list "")
  for n in $names; do check "$sh completes '$n' after 'ipcscope list'" has_word "$got" "$n"; done
  got=$(${sh}_complete ipcscope list --sort "")
  check "$sh completes the values of --sort (got: $got)" has_word "$got" pid
done

# The man page renders without warnings from man/groff.
warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$man" 2>&1 >/dev/null)
check "man renders the page without warnings: $warnings" test -z "$warnings"
[ $fail -eq 0 ] && echo "ok: ${#paths[@]} commands checked in the man page and the bash, zsh and fish completions"
exit $fail
