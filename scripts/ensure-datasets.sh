#!/usr/bin/env bash
# Makes sure the real datasets used by the detection corpus (benchmarks/GradientWatch.Corpus) are on disk.
# They come from Debian packages, fetched with `apt-get download` and unpacked with `dpkg -x` (no install, no
# other network): python3-statsmodels (co2, sunspots, elnino, macrodata, fair, randhie, star98, modechoice) and
# python3-sklearn (iris, wine, linnerud). scikit-learn's digits, breast-cancer and diabetes sets are never copied.
# Idempotent: once the CSVs are in place nothing is downloaded. Sourced by scripts/test.sh, runnable on its own.
# The folder is $GRADIENTWATCH_DATASETS, default ${XDG_CACHE_HOME:-$HOME/.cache}/gradientwatch/datasets; it is exported.
export GRADIENTWATCH_DATASETS="${GRADIENTWATCH_DATASETS:-${XDG_CACHE_HOME:-$HOME/.cache}/gradientwatch/datasets}"
gw_ds_files="co2.csv sunspots.csv elnino.csv macrodata.csv fair.csv randhie.csv star98.csv modechoice.csv iris.csv wine_data.csv linnerud_exercise.csv linnerud_physiological.csv"
gw_ds_missing=0
for f in $gw_ds_files; do [ -s "$GRADIENTWATCH_DATASETS/$f" ] || gw_ds_missing=1; done
if [ "$gw_ds_missing" = 1 ]; then
  echo "GradientWatch: fetching corpus datasets from Debian packages python3-statsmodels and python3-sklearn..."
  gw_ds_tmp="$(mktemp -d)"
  (
    set -e
    cd "$gw_ds_tmp"
    # apt-get download needs current package lists; refresh them once if the first try fails.
    if ! apt-get download python3-statsmodels python3-sklearn >/dev/null 2>&1; then
      gw_sudo=""; if [ "$(id -u)" != 0 ]; then gw_sudo="sudo"; fi
      $gw_sudo apt-get update -qq >/dev/null
      apt-get download python3-statsmodels python3-sklearn >/dev/null
    fi
    mkdir -p x "$GRADIENTWATCH_DATASETS"
    for deb in ./*.deb; do dpkg -x "$deb" x; done
    sm="$(find x -type d -path '*statsmodels/datasets' | head -n 1)"
    sk="$(find x -type d -path '*sklearn/datasets/data' | head -n 1)"
    for name in co2 sunspots elnino macrodata fair randhie star98 modechoice; do
      cp "$sm/$name/$name.csv" "$GRADIENTWATCH_DATASETS/$name.csv"
    done
    for name in iris wine_data linnerud_exercise linnerud_physiological; do
      cp "$sk/$name.csv" "$GRADIENTWATCH_DATASETS/$name.csv"
    done
  ) || { echo "GradientWatch: could not fetch the corpus datasets (apt-get download python3-statsmodels python3-sklearn)" >&2; rm -rf "$gw_ds_tmp"; unset gw_ds_tmp gw_ds_files gw_ds_missing; return 1 2>/dev/null || exit 1; }
  rm -rf "$gw_ds_tmp"
fi
unset gw_ds_tmp gw_ds_files gw_ds_missing
