#!/bin/sh
# Every JSON text the program writes goes through base::dumpJson, which cannot throw on
# invalid UTF-8. Fails when a raw nlohmann .dump( call appears outside that helper.
# Usage: no_raw_json_dump.sh SOURCE_DIR
cd "$1" || exit 2
found=$(grep -rn --include='*.cpp' --include='*.h' '\.dump(' app probes tests/fuzz | grep -v '^app/base/json\.[ch]p*:')
if [ -n "$found" ]; then
  echo "raw .dump() calls (use base::dumpJson):"
  echo "$found"
  exit 1
fi
echo "no raw .dump() in app/, probes/, tests/fuzz/"
