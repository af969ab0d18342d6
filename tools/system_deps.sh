#!/usr/bin/env bash
# Check the system programs the book needs, before anything long starts; install the missing ones where we can.
#
#   tools/system_deps.sh [book|test]
#
# book: npm (offline widget/MathJax JS for the HTML book).
# test: npm, chromium (the rendered-book test), tesseract with its English model (irbook.vision.ocr) and
#       dataset-fashion-mnist (chapter 19's real images) and wordnet-base (chapter 9's unseen WordNet graph).
# Where a program is missing: as root with apt-get available, run `apt-get update` and install it; otherwise
# (or with IRBOOK_SYSTEM_DEPS_NO_INSTALL=1) print the exact apt command and exit 1, within seconds.
set -euo pipefail

target="${1:-test}"
case "$target" in
  book|test) ;;
  *) echo "usage: $0 [book|test]" >&2; exit 2 ;;
esac

missing=()   # Debian package names
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "$target" = test ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  [ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || missing+=(dataset-fashion-mnist)
  [ -f /usr/share/wordnet/data.noun ] || missing+=(wordnet-base)
  if ! command -v tesseract >/dev/null 2>&1; then
    missing+=(tesseract-ocr tesseract-ocr-eng)
  elif ! tesseract --list-langs 2>/dev/null | grep -qx eng; then
    missing+=(tesseract-ocr-eng)
  fi
fi

[ ${#missing[@]} -eq 0 ] && exit 0

command_line="sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
if [ "${IRBOOK_SYSTEM_DEPS_NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system_deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

{
  echo "system_deps: 'make $target' needs system programs that are missing: ${missing[*]}"
  echo "install them (as root) with:"
  echo "    $command_line"
  echo "then run 'make $target' again."
} >&2
exit 1
