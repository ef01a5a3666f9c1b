#!/usr/bin/env bash
# The reproduction study of docs/results.md, end to end: trains every method with 3 seeds (and the 15 SimCLR
# runs that make 3 five-model ensembles), the remedies of its "Beyond the paper" section likewise, evaluates OOD
# detection and linear accuracy, and writes the tables (tau export table, Markdown, into RESULTS between its
# markers).
#   configs/study/run_study.sh [train|evaluate|summarize|all]   (default all; finished steps are skipped)
# About 75 minutes on 2 CPU cores. The environment can change what and where:
#   TAU (the CLI), CONFIGS (configs/study), RUNS (runs/study), RESULTS (docs/results.md), OOD_SETS, NEAR_SETS,
#   EVAL_ARGS (extra tau ood flags), LINEAR_ARGS (tau linear-eval flags).
# The CIFAR-10 recipe with the original's settings (ResNet-18, 200 epochs; a GPU day or so) is
#   CONFIGS=configs/cifar10 RUNS=runs/study_cifar10 RESULTS=docs/results-cifar10.md \
#   OOD_SETS=svhn,cifar100,gaussian_noise,inverted NEAR_SETS=cifar100 EVAL_ARGS= LINEAR_ARGS="--epochs 100" \
#   configs/study/run_study.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
TAU="${TAU:-build/bin/tau}"
CONFIGS="${CONFIGS:-configs/study}"
RUNS="${RUNS:-runs/study}"
RESULTS="${RESULTS:-docs/results.md}"
SEEDS=(1 2 3)
OOD_SETS="${OOD_SETS:-mnist,fashion_mnist@8+9,gaussian_noise,inverted}"
NEAR_SETS="${NEAR_SETS:-fashion_mnist@8+9}" # the near-OOD sets among OOD_SETS; the others are far-OOD
read -r -a EVAL <<<"${EVAL_ARGS---limit 2000 --knn-reference-limit 10000}"
read -r -a LINEAR <<<"${LINEAR_ARGS---limit-train 10000 --epochs 30}"

train_one() { # CONFIG NAME SEED
    if [ -f "$RUNS/$2/checkpoints/last.pt" ]; then return; fi
    "$TAU" train "$CONFIGS/$1.yaml" --set "exp_name=$2" --set "seed=$3" --runs-dir "$RUNS" >"$RUNS/$2.log" 2>&1 ||
        { echo "training $2 failed; see $RUNS/$2.log" >&2; exit 1; }
    echo "trained $2"
}

ood_one() { # NAME SCORES [ENSEMBLE MEMBERS]
    if [ -f "$RUNS/$1/eval/study/metrics.json" ]; then return; fi
    local extra=()
    if [ $# -ge 3 ]; then extra=(--ensemble "$3"); fi
    "$TAU" ood --checkpoint "$RUNS/$1" --out "$OOD_SETS" --scores "$2" --name study ${EVAL[@]+"${EVAL[@]}"} "${extra[@]}" \
        >"$RUNS/$1.ood.log" 2>&1 || { echo "OOD evaluation of $1 failed; see $RUNS/$1.ood.log" >&2; exit 1; }
    echo "evaluated $1"
}

linear_one() { # NAME
    if [ -f "$RUNS/$1/eval/study_linear/metrics.json" ]; then return; fi
    "$TAU" linear-eval --checkpoint "$RUNS/$1" --name study_linear ${LINEAR[@]+"${LINEAR[@]}"} \
        >"$RUNS/$1.linear.log" 2>&1 || { echo "linear evaluation of $1 failed; see $RUNS/$1.linear.log" >&2; exit 1; }
    echo "linear-evaluated $1"
}

# Ensemble e (0, 1, 2) is SimCLR seeds 5e+1 .. 5e+5; its first member is also "SimCLR + kNN" of that seed.
member() { echo "simclr_s$((5 * $1 + $2))"; }

step="${1:-all}"
mkdir -p "$RUNS"
if [ "$step" = train ] || [ "$step" = all ]; then
    for i in 0 1 2; do
        seed=${SEEDS[$i]}
        for method in tau_simclr tau_mocov2 mc_dropout hib tau_simclr_oe; do
            train_one "$method" "${method}_s$seed" "$seed"
        done
        for m in 1 2 3 4 5; do
            train_one simclr "$(member "$i" "$m")" "$((5 * i + m))"
        done
    done
fi
if [ "$step" = evaluate ] || [ "$step" = all ]; then
    for i in 0 1 2; do
        seed=${SEEDS[$i]}
        # The TaU models also with the remedies of "Beyond the paper": the Mahalanobis density and c fused with it.
        for method in tau_simclr tau_mocov2 tau_simclr_oe; do
            ood_one "${method}_s$seed" tau,tau_mahalanobis,mahalanobis,knn
        done
        ood_one "mc_dropout_s$seed" mc_dropout,knn
        ood_one "hib_s$seed" hib,knn
        others="$RUNS/$(member "$i" 2),$RUNS/$(member "$i" 3),$RUNS/$(member "$i" 4),$RUNS/$(member "$i" 5)"
        ood_one "$(member "$i" 1)" knn,ensemble "$others"
        for name in "tau_simclr_s$seed" "tau_mocov2_s$seed" "mc_dropout_s$seed" "hib_s$seed" "$(member "$i" 1)" \
            "tau_simclr_oe_s$seed"; do
            linear_one "$name"
        done
    done
fi
if [ "$step" = summarize ] || [ "$step" = all ]; then
    # The tables: tau export table over every run's eval/study (methods are the runs alike but for the seed; the
    # linear top-1 is each run's eval/study_linear), spliced into RESULTS between the markers.
    folders=()
    for method in tau_simclr tau_mocov2; do
        for seed in "${SEEDS[@]}"; do folders+=("$RUNS/${method}_s$seed/eval/study"); done
    done
    for i in 0 1 2; do folders+=("$RUNS/$(member "$i" 1)/eval/study"); done
    for method in mc_dropout hib tau_simclr_oe; do
        for seed in "${SEEDS[@]}"; do folders+=("$RUNS/${method}_s$seed/eval/study"); done
    done
    "$TAU" export table "${folders[@]}" --sets "$OOD_SETS" --near "$NEAR_SETS" -o "$RUNS/tables.md" >/dev/null
    begin='<!-- tables:begin (tau export table) -->'
    end='<!-- tables:end -->'
    if [ ! -f "$RESULTS" ]; then printf '# Results\n\n%s\n%s\n' "$begin" "$end" >"$RESULTS"; fi
    awk -v begin="$begin" -v end="$end" -v tables="$RUNS/tables.md" '
        $0 == begin { print; while ((getline line < tables) > 0) print line; skipping = 1; next }
        $0 == end { skipping = 0 }
        !skipping { print }' "$RESULTS" >"$RESULTS.new"
    mv "$RESULTS.new" "$RESULTS"
    cat "$RUNS/tables.md"
fi
