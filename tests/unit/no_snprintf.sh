#!/bin/sh
# Text is formatted with fmt: no snprintf-family calls in the program or the probes.
# Usage: no_snprintf.sh SOURCE_DIR
cd "$1" || exit 2
found=$(grep -rnE --include='*.cpp' --include='*.h' '\b(std::)?v?snprintf\(' app probes)
if [ -n "$found" ]; then
  echo "snprintf calls (use fmt::format):"
  echo "$found"
  exit 1
fi
echo "no snprintf in app/ or probes/"
