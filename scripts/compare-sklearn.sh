#!/usr/bin/env bash
# Lathe on tables no one here wrote, next to scikit-learn's linear baselines on the same train/test files.
#   scripts/compare-sklearn.sh [SEEDS]      (default seeds: 0; e.g. "0 1 2 3 4")
# Data: scikit-learn's bundled iris, wine, breast cancer and diabetes (Debian's python3-sklearn, installed
# here if missing), split 80/20 by scripts/sklearn_tables.py, which also scores StandardScaler +
# LogisticRegression / LinearRegression. Lathe runs `lathe train --data train.csv --test-data test.csv`
# with no other flag but --seed: the defaults a newcomer gets.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seeds="${1:-0}"
if [ ! -f /usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv ]; then
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
  as_root apt-get install -y -qq python3-sklearn >/dev/null
fi
dir="$(mktemp -d)"; trap 'rm -rf "$dir"' EXIT
echo "host: $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
/usr/bin/python3 "$root/scripts/sklearn_tables.py" "$dir" | tee "$dir/sklearn.txt"
for name in iris wine breast_cancer diabetes; do
  for seed in $seeds; do
    line="$(LATHE_TUNE=0 "$root/lathe" train --data "$dir/$name-train.csv" --test-data "$dir/$name-test.csv" --seed "$seed" --no-progress 2>/dev/null | grep '^result')"
    echo "lathe $name seed $seed ${line#result }"
  done
done | tee "$dir/lathe.txt"
# per dataset: Lathe's mean and worst over the seeds against the baseline
awk '
  FNR == NR { if ($3 == "test_accuracy") base[$2] = $4; else base[$2] = $6; next }
  { metric = ($5 ~ /^test_accuracy=/) ? $5 : $6; split(metric, kv, "="); v = kv[2]
    n[$2]++; sum[$2] += v; if (!($2 in worst) || v < worst[$2]) worst[$2] = v }
  END { for (d in n) printf "compare %s %s lathe mean %.4f worst %.4f sklearn %.4f (mean - sklearn %+.4f)\n",
          d, (d == "diabetes" ? "test_r2" : "test_accuracy"), sum[d] / n[d], worst[d], base[d], sum[d] / n[d] - base[d] }
' "$dir/sklearn.txt" "$dir/lathe.txt" | sort
