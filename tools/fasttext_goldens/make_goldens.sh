#!/bin/sh
# Regenerates the fastText goldens of tests/advisor with Debian's `fasttext`
# CLI (package fasttext, 0.9.2): `fasttext predict-prob MODEL FILE K` output,
# line-aligned with the input sentences. Run from the repo root.
set -eu
d=tests/data/fasttext
fasttext predict-prob app/assets/lid.176.ftz "$d/lid_test_sentences.txt" 5 > "$d/lid176ftz_predict-prob_k5.txt"
fasttext predict-prob "$d/clinc150_ft.ftz" "$d/clinc150_test300_text.txt" 3 > "$d/clinc150_ft_ftz_pred300_k3.txt"
echo "goldens written to $d"
