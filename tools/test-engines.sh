#!/usr/bin/env bash
# keksi in every engine: runs both browser tiers per engine and prints pass/fail counts
# and run times.
#
#   tools/test-engines.sh                    every engine installed here
#   tools/test-engines.sh firefox webkit     just these (chromium | firefox | webkit)
#
# Tier 1 "wasm": tests/browser.rs (wasm-bindgen-test) through wasm-bindgen-test-runner,
#   which picks the WebDriver server from CHROMEDRIVER / GECKODRIVER / SAFARIDRIVER
#   (WebKitGTK's WebKitWebDriver speaks the same protocol as safaridriver).
# Tier 2 "e2e":  tests/e2e-webdriver/ (node:test + a tiny W3C WebDriver client) against
#   www/ and tests/e2e/fixtures/engines/ served by tests/e2e/server.mjs.
#
# Needs (see tools/keksi setup for the Chromium part):
#   firefox: apt-get install -y firefox-esr; cargo install geckodriver --version 0.37.1
#   webkit:  apt-get install -y webkit2gtk-driver xvfb   (MiniBrowser has no headless mode:
#            it draws into Xvfb; xvfb-run for tier 1, tier 2 starts its own Xvfb)
# Logs: target/engines/<engine>-<tier>.log. Exit status 1 when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

CHROMEDRIVER_BIN=${CHROMEDRIVER:-/usr/bin/chromedriver}
GECKODRIVER_BIN=${GECKODRIVER:-}
[ -z "$GECKODRIVER_BIN" ] && [ -x "$HOME/.cargo/bin/geckodriver" ] && GECKODRIVER_BIN=$HOME/.cargo/bin/geckodriver
[ -z "$GECKODRIVER_BIN" ] && GECKODRIVER_BIN=$(command -v geckodriver || true)
WEBKITDRIVER_BIN=${WEBKITWEBDRIVER:-/usr/bin/WebKitWebDriver}
LOGS=target/engines
mkdir -p "$LOGS"

have() {
  case "$1" in
    chromium) [ -x /usr/bin/chromium ] && [ -x "$CHROMEDRIVER_BIN" ] ;;
    firefox)  { [ -x /usr/bin/firefox-esr ] || [ -x /usr/bin/firefox ]; } && [ -n "$GECKODRIVER_BIN" ] && [ -x "$GECKODRIVER_BIN" ] ;;
    webkit)   [ -x "$WEBKITDRIVER_BIN" ] && { [ -n "${DISPLAY:-}" ] || command -v xvfb-run >/dev/null; } ;;
    *) echo "unknown engine: $1 (chromium, firefox, webkit)" >&2; exit 2 ;;
  esac
}
install_hint() {
  case "$1" in
    chromium) echo "apt-get install -y chromium chromium-driver" ;;
    firefox)  echo "apt-get install -y firefox-esr && cargo install geckodriver --version 0.37.1" ;;
    webkit)   echo "apt-get install -y webkit2gtk-driver xvfb" ;;
  esac
}

engines=("$@")
explicit=1
if [ ${#engines[@]} -eq 0 ]; then engines=(chromium firefox webkit); explicit=0; fi
run=()
for e in "${engines[@]}"; do
  if have "$e"; then run+=("$e")
  elif [ $explicit -eq 1 ]; then echo "$e is not installed: $(install_hint "$e")" >&2; exit 2
  else echo "skipping $e (not installed: $(install_hint "$e"))"
  fi
done
[ ${#run[@]} -eq 0 ] && { echo "no engine available" >&2; exit 2; }

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }

if [ ! -f www/keksi.js ]; then
  echo "== building www/keksi.js"
  node tools/build.mjs || exit 1
fi
echo "== compiling tests/browser.rs for wasm32 (once, shared by every engine)"
t0=$(now)
cargo test --target wasm32-unknown-unknown --test browser --no-run >"$LOGS/build.log" 2>&1 || { tail -30 "$LOGS/build.log"; exit 1; }
echo "   $(secs "$t0" "$(now)") s"

declare -A RES TIME
failed=0

# Tier 1: wasm-bindgen-test-runner takes the first of GECKODRIVER, SAFARIDRIVER,
# CHROMEDRIVER that is set, so exactly one is set per run.
wasm_tier() {
  local e=$1 log="$LOGS/$1-wasm.log" t0
  local -a envs=(env -u GECKODRIVER -u SAFARIDRIVER -u CHROMEDRIVER -u MSEDGEDRIVER
    -u GECKODRIVER_REMOTE -u SAFARIDRIVER_REMOTE -u CHROMEDRIVER_REMOTE
    "WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-180}")
  local -a pre=()
  case "$e" in
    chromium) envs+=("CHROMEDRIVER=$CHROMEDRIVER_BIN") ;;
    firefox)  envs+=("GECKODRIVER=$GECKODRIVER_BIN") ;;   # the runner adds -headless itself
    webkit)   envs+=("SAFARIDRIVER=$WEBKITDRIVER_BIN")    # the runner sends no capabilities: default MiniBrowser
              command -v xvfb-run >/dev/null && pre=(xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp") ;;
  esac
  t0=$(now)
  local rc line attempt
  for attempt in 1 2; do
    "${pre[@]}" "${envs[@]}" cargo test --target wasm32-unknown-unknown --test browser >"$log" 2>&1
    rc=$?
    line=$(grep -E '^test result:' "$log" | tail -1)
    # A browser that crashed before reporting anything (seen: WebKitGTK's web process
    # dying in getauxval under load) is the machine, not a test: one more try, said aloud.
    if [ -n "$line" ] || [ $attempt -eq 2 ] || ! grep -qE 'CRASHED|driver status: signal' "$log"; then break; fi
    echo "   ($e crashed before reporting any result; running the tier once more)"
  done
  TIME[$e,wasm]=$(secs "$t0" "$(now)")
  local pass fail
  pass=$(sed -nE 's/.* ([0-9]+) passed.*/\1/p' <<<"$line")
  fail=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")
  if [ -z "$line" ]; then
    RES[$e,wasm]="ERROR (no test result, exit $rc; see $log)"; failed=1
  else
    RES[$e,wasm]="${pass:-0} passed, ${fail:-0} failed"
    [ "${fail:-0}" != 0 ] || [ $rc -ne 0 ] && failed=1
  fi
  if [ "${fail:-0}" != 0 ]; then
    grep -E '^test .* FAIL$' "$log" | sed 's/^/     /'
    grep -A1 -E 'panicked at' "$log" | grep -vE '^--$|^\s*$' | sed 's/^ */       /' | awk '!seen[$0]++' | head -12
  fi
}

e2e_tier() {
  local e=$1 log="$LOGS/$1-e2e.log" t0
  t0=$(now)
  KEKSI_ENGINES=$e node --test --test-concurrency=1 --test-reporter=spec tests/e2e-webdriver/ >"$log" 2>&1
  local rc=$?
  TIME[$e,e2e]=$(secs "$t0" "$(now)")
  local pass fail skip todo
  pass=$(sed -nE 's/^ℹ pass ([0-9]+)/\1/p' "$log" | tail -1)
  todo=$(sed -nE 's/^ℹ todo ([0-9]+)/\1/p' "$log" | tail -1)
  fail=$(sed -nE 's/^ℹ fail ([0-9]+)/\1/p' "$log" | tail -1)
  skip=$(sed -nE 's/^ℹ skipped ([0-9]+)/\1/p' "$log" | tail -1)
  if [ -z "$pass" ]; then
    RES[$e,e2e]="ERROR (exit $rc; see $log)"; failed=1
  else
    RES[$e,e2e]="$pass passed, $fail failed, $skip skipped, $todo todo"
    [ "$fail" != 0 ] || [ $rc -ne 0 ] && failed=1
  fi
  # failures and skip reasons, one line each
  # (TODO probes are listed among node's failing tests too; they do not count as failures)
  sed -n '/^✖ failing tests:/,$p' "$log" | grep -E '^✖ [^f]|^  [A-Za-z]*Error' | sed 's/^/     /' | head -24
  grep -E '﹣ .* # ' "$log" | sed -E 's/^ *﹣ /     skipped: /; s/ \([0-9.]+ms\)//' | head -10
}

for e in "${run[@]}"; do
  echo "== $e: wasm-bindgen-test (tests/browser.rs)"
  wasm_tier "$e"
  echo "   ${RES[$e,wasm]}  (${TIME[$e,wasm]} s)"
  echo "== $e: WebDriver end-to-end (tests/e2e-webdriver)"
  e2e_tier "$e"
  echo "   ${RES[$e,e2e]}  (${TIME[$e,e2e]} s)"
done

echo
printf '%-9s %-5s %-40s %6s\n' engine tier result time
for e in "${run[@]}"; do
  for t in wasm e2e; do
    printf '%-9s %-5s %-40s %5ss\n' "$e" "$t" "${RES[$e,$t]}" "${TIME[$e,$t]}"
  done
done
echo "(logs in $LOGS/)"
exit $failed
