#!/usr/bin/env bash
# One distributed bench run on Kubernetes: a common start a few minutes ahead, the Indexed Job
# of shards, then the merge, whose exit code this script returns (0 ok, 1 nothing succeeded,
# 2 cannot merge, 3 a threshold crossed).
#
#   ./run.sh                      shared ReadWriteMany volume (results-pvc.yaml), merge in-cluster
#   MODE=stdout ./run.sh          no shared volume: shard reports from kubectl logs, merged here
#                                 (needs mailprobe here, or MAILPROBE="docker run --rm -v $PWD:/w -w /w IMAGE")
#
# Environment: NAMESPACE (default: the context's), LEAD_SECONDS (default 180: time for every pod
# to be scheduled, pull the image and connect before the start), TIMEOUT_SECONDS (default 1800),
# MODE (volume | stdout), MAILPROBE (stdout mode), OUT (stdout mode: where logs and the merged
# report go, default ./mailprobe-run-RUN_ID).
set -euo pipefail

cd "$(dirname "$0")"
MODE=${MODE:-volume}
LEAD_SECONDS=${LEAD_SECONDS:-180}
TIMEOUT_SECONDS=${TIMEOUT_SECONDS:-1800}
MAILPROBE=${MAILPROBE:-mailprobe}
KUBECTL=(kubectl)
if [[ -n "${NAMESPACE:-}" ]]; then KUBECTL+=(--namespace "$NAMESPACE"); fi

case "$MODE" in
  volume) SHARDS_MANIFEST=shards-job.yaml ;;
  stdout) SHARDS_MANIFEST=shards-job-stdout.yaml ;;
  *) echo "MODE must be volume or stdout, not $MODE" >&2; exit 2 ;;
esac

# GNU date, else BSD date (macOS).
START_AT=$(date -u -d "+${LEAD_SECONDS} seconds" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -v "+${LEAD_SECONDS}S" +%Y-%m-%dT%H:%M:%SZ)
RUN_ID=$(date -u +%Y%m%d%H%M%S)
SHARDS=$(sed -n 's/^  completions: *\([0-9][0-9]*\).*/\1/p' "$SHARDS_MANIFEST")
echo "run $RUN_ID: $SHARDS shards starting at $START_AT ($MODE)"

"${KUBECTL[@]}" create configmap mailprobe-run --from-literal=start-at="$START_AT" --from-literal=run-id="$RUN_ID" \
  --dry-run=client -o yaml | "${KUBECTL[@]}" apply -f -
"${KUBECTL[@]}" delete job mailprobe-shards mailprobe-merge --ignore-not-found --wait=true
if [[ "$MODE" == volume ]]; then "${KUBECTL[@]}" apply -f results-pvc.yaml; fi
"${KUBECTL[@]}" apply -f "$SHARDS_MANIFEST"

# Wait until the Job is Complete or Failed (kubectl wait takes one condition at a time).
wait_job() {
  local job=$1 deadline=$((SECONDS + TIMEOUT_SECONDS)) state
  while ((SECONDS < deadline)); do
    state=$("${KUBECTL[@]}" get job "$job" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type} {end}')
    case " $state " in
      *" Complete "*) return 0 ;;
      *" Failed "*) return 1 ;;
    esac
    sleep 5
  done
  echo "$job: not finished after ${TIMEOUT_SECONDS}s" >&2
  return 1
}

shards_ok=0
wait_job mailprobe-shards || shards_ok=$?
if ((shards_ok != 0)); then
  echo "some shards failed; their logs:" >&2
  "${KUBECTL[@]}" logs -l job-name=mailprobe-shards --tail=20 --prefix --max-log-requests="$SHARDS" >&2 || true
fi

if [[ "$MODE" == volume ]]; then
  # The merge decides: a missing shard report is exit 2 there, with the reason in its log.
  "${KUBECTL[@]}" apply -f merge-job.yaml
  wait_job mailprobe-merge || true
  "${KUBECTL[@]}" logs job/mailprobe-merge
  code=$("${KUBECTL[@]}" get pods -l job-name=mailprobe-merge -o jsonpath='{.items[0].status.containerStatuses[0].state.terminated.exitCode}')
  echo "merged report: /results/$RUN_ID-merged.{json,md,xml,html} on the mailprobe-results volume"
  exit "${code:-2}"
fi

OUT=${OUT:-./mailprobe-run-$RUN_ID}
mkdir -p "$OUT"
# "index pod-name" per shard pod (the completion index is an annotation on every version).
"${KUBECTL[@]}" get pods -l job-name=mailprobe-shards \
  -o jsonpath='{range .items[*]}{.metadata.annotations.batch\.kubernetes\.io/job-completion-index}{" "}{.metadata.name}{"\n"}{end}' |
  while read -r index pod; do
    "${KUBECTL[@]}" logs "$pod" > "$OUT/shard-$index.log" || echo "no log for shard $index ($pod)" >&2
  done
set +e
$MAILPROBE merge "$OUT"/shard-*.log --threshold 'smtp.data:p99<500ms' --threshold 'errors<1%' \
  --json "$OUT/merged.json" --md "$OUT/merged.md" --junit "$OUT/merged.xml" --html "$OUT/merged.html"
code=$?
echo "merged report: $OUT/merged.{json,md,xml,html}"
exit "$code"
