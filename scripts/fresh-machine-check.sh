#!/usr/bin/env bash
# A newcomer's first minute, on demand: removes what scripts/setup.sh installs
# (purges the Debian packages of scripts/apt-packages.txt, deletes the data
# cache), then runs the README's two commands exactly as the README writes
# them, and reports what each printed last and how long it took. Exits 1 if
# either command fails. .ci/run runs it on every submission.
#
#   bash scripts/fresh-machine-check.sh                  remove, then run both commands
#   bash scripts/fresh-machine-check.sh --simulate-purge only show what apt-get would purge
#                                                        (apt-get -s), then delete the data
#                                                        cache and run: for a shared machine
#                                                        (point NABLA_DATA at a scratch folder)
#   bash scripts/fresh-machine-check.sh --keep           remove nothing, run both commands
#   bash scripts/fresh-machine-check.sh --remove-only    remove, run nothing (.ci/run then runs
#                                                        the two commands itself)
#
# It runs in this checkout and reuses its .build; CI runs it in a fresh clone,
# and so can you: git clone . /tmp/nabla-fresh && cd /tmp/nabla-fresh && bash scripts/fresh-machine-check.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=purge
case "${1:-}" in
  "") ;;
  --simulate-purge) mode=simulate ;;
  --keep) mode=keep ;;
  --remove-only) mode=remove-only ;;
  *) echo "usage: bash scripts/fresh-machine-check.sh [--simulate-purge | --keep | --remove-only]" >&2; exit 2 ;;
esac
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi

say() { echo "fresh-machine-check: $*"; }

# The lines of the README's "## The two commands" section that sit in ```sh blocks.
readme_commands() {
  local line section=0 fenced=0
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      "## The two commands"*) section=1; continue ;;
      "## "*) section=0 ;;
    esac
    [ "$section" -eq 1 ] || continue
    case "$line" in
      '```sh') fenced=1 ;;
      '```') fenced=0 ;;
      *) [ "$fenced" -eq 0 ] || [ -z "$line" ] || echo "$line" ;;
    esac
  done <README.md
}

mapfile -t commands < <(readme_commands)
if [ ${#commands[@]} -ne 2 ]; then
  say "expected two commands in README.md's '## The two commands' section (in \`\`\`sh blocks), found ${#commands[@]}: ${commands[*]:-none}" >&2
  exit 1
fi

# The Debian packages setup installs that are installed now, less those whose
# purge would take a package setup does not list with it (zlib1g-dev, say,
# when the machine's python3-dev needs it): removing those would leave the
# machine barer than a fresh one, and break what is not the project's.
purgeable_packages() {
  local listed p status simulation action name outside
  mapfile -t listed < <(bash scripts/setup.sh --list-apt-packages)
  for p in "${listed[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
    [ "$status" = "install ok installed" ] || continue
    simulation="$(apt-get -s purge "$p" 2>/dev/null)" || { say "apt-get -s purge $p failed; keeping it" >&2; continue; }
    outside=()
    while read -r action name _; do
      case "$action" in Purg|Remv) ;; *) continue ;; esac
      [[ " ${listed[*]} " == *" $name "* ]] || outside+=("$name")
    done <<<"$simulation"
    if [ ${#outside[@]} -eq 0 ]; then
      echo "$p"
    else
      say "keeping $p: purging it would also remove ${outside[*]}, which setup does not install" >&2
    fi
  done
}

remove_packages() {
  local packages simulation action name manual outside=() purged=()
  mapfile -t packages < <(purgeable_packages)
  if [ ${#packages[@]} -eq 0 ]; then
    say "none of setup's Debian packages is installed"
    return
  fi
  # Together with the packages only they needed: those must all be setup's or installed as dependencies.
  simulation="$(apt-get -s purge --autoremove "${packages[@]}")"
  manual=" $(apt-mark showmanual | tr '\n' ' ') "
  while read -r action name _; do
    case "$action" in Purg|Remv) ;; *) continue ;; esac
    purged+=("$name")
    [[ " ${packages[*]} " == *" $name "* || "$manual" != *" $name "* ]] || outside+=("$name")
  done <<<"$simulation"
  if [ ${#outside[@]} -gt 0 ]; then
    say "purging ${packages[*]} would also remove ${outside[*]}, installed by hand; remove those packages from the purge or from the machine first" >&2
    exit 1
  fi
  if [ "$mode" = simulate ]; then
    say "would purge (apt-get -s) ${purged[*]}"
  else
    say "purging ${purged[*]}"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get purge -y -qq --autoremove "${packages[@]}" >/dev/null
  fi
}

# The same folder as setup.sh's data_dir and Datasets.dataFolder().
data_dir="${NABLA_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/nabla}"

if [ "$mode" != keep ]; then
  remove_packages
  say "deleting the data cache $data_dir"
  rm -rf "$data_dir"
fi
[ "$mode" != remove-only ] || exit 0

logs="$(mktemp -d "${TMPDIR:-/tmp}/nabla-fresh-machine-check.XXXXXX")"
statuses=() durations=() last_lines=()
for i in "${!commands[@]}"; do
  say "running the README's command: ${commands[$i]}"
  start=$(date +%s)
  set +e
  bash -c "${commands[$i]}" 2>&1 | tee "$logs/command-$((i + 1)).log"
  statuses[i]=${PIPESTATUS[0]}
  set -e
  durations[i]=$(($(date +%s) - start))
  last_lines[i]="$(sed '/^[[:space:]]*$/d' "$logs/command-$((i + 1)).log" | tail -n 1)"
done

echo
say "the README's two commands ($mode; logs in $logs):"
failed=0
for i in "${!commands[@]}"; do
  if [ "${statuses[$i]}" -eq 0 ]; then result=passed; else result="FAILED (status ${statuses[$i]})"; failed=1; fi
  echo "  $result in ${durations[$i]} s: ${commands[$i]}"
  echo "    last line: ${last_lines[$i]}"
  # swift test ends with Swift Testing's line; XCTest's count comes before it.
  summary="$(grep -E '^[[:space:]]*Executed [0-9]+ tests?,' "$logs/command-$((i + 1)).log" | tail -n 1 || true)"
  [ -z "$summary" ] || [ "$summary" = "${last_lines[$i]}" ] || echo "    XCTest:   ${summary#"${summary%%[![:space:]]*}"}"
done
exit "$failed"
