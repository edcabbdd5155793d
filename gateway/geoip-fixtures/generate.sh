#!/usr/bin/env bash
# Regenerate every GeoIP .mmdb fixture of the gateway from the TSV sources in
# this folder (see README.md). Works from any directory.
#
# Needs Debian's libmaxmind-db-writer-perl; mmdb-bin (mmdblookup) is used for
# the self-check at the end when present:
#   apt-get install -y libmaxmind-db-writer-perl mmdb-bin
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GATEWAY="$(cd "${HERE}/.." && pwd)"
TEST_OUT="${GATEWAY}/src/test/resources/geoip"
DEMO_OUT="${GATEWAY}/src/main/resources/io/homeport/demo"

# Fixed build epoch and hash order: same sources -> byte-identical files.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1781740800}"
export PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0

if ! perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null; then
  echo "error: MaxMind::DB::Writer::Tree missing: apt-get install -y libmaxmind-db-writer-perl" >&2
  exit 1
fi

mkdir -p "${TEST_OUT}" "${DEMO_OUT}"
gen() { perl "${HERE}/generate.pl" --countries "${HERE}/countries.tsv" "$@"; }

TEST_SRC=(--networks "${HERE}/test-networks.tsv" --no-country "${HERE}/test-no-country-networks.tsv")

gen "${TEST_SRC[@]}" --schema geoip2-country --database-type GeoLite2-Country \
  --description "Homeport test fixture: GeoLite2-Country schema, real allocations" \
  --out "${TEST_OUT}/GeoLite2-Country-Test.mmdb"
gen "${TEST_SRC[@]}" --schema geoip2-city --database-type GeoIP2-City \
  --description "Homeport test fixture: GeoIP2-City schema, real allocations, capital-city names" \
  --out "${TEST_OUT}/GeoIP2-City-Test.mmdb"
gen "${TEST_SRC[@]}" --schema geoip2-city --database-type GeoIP2-Enterprise \
  --description "Homeport test fixture: GeoIP2-Enterprise schema, real allocations, capital-city names" \
  --out "${TEST_OUT}/GeoIP2-Enterprise-Test.mmdb"
gen "${TEST_SRC[@]}" --schema country-code --database-type geo-whois-asn-country \
  --description "Homeport test fixture: geo-whois-asn-country schema (country_code only)" \
  --out "${TEST_OUT}/country-code-test.mmdb"

# Broken inputs for error-path tests.
printf 'This is not a MaxMind DB file.\nHomeport uses it to test the error path for a corrupt GeoIP database.\n' \
  > "${TEST_OUT}/not-an-mmdb.mmdb"
full="${TEST_OUT}/GeoLite2-Country-Test.mmdb"
head -c "$(( $(wc -c <"${full}") / 2 ))" "${full}" > "${TEST_OUT}/truncated.mmdb"
echo "wrote ${TEST_OUT}/not-an-mmdb.mmdb and ${TEST_OUT}/truncated.mmdb"

gen --networks "${HERE}/demo-networks.tsv" --schema geoip2-country --database-type Homeport-Demo-Country \
  --description "Homeport bundled demo database: a few real allocations per country" \
  --out "${DEMO_OUT}/demo-geoip.mmdb"

# Self-check: every sample address resolves to its country in every database.
if command -v mmdblookup >/dev/null 2>&1; then
  lookup() { { mmdblookup --file "$1" --ip "$2" "${@:3}" 2>/dev/null || true; } | sed -n 's/^ *"\(.*\)" <utf8_string>$/\1/p'; }
  fail=0
  while IFS=$'\t' read -r cc v4 v6; do
    [[ -z "${cc}" || "${cc}" == \#* ]] && continue
    for ip in "${v4}" "::ffff:${v4}" ${v6}; do
      for db in GeoLite2-Country-Test GeoIP2-City-Test GeoIP2-Enterprise-Test; do
        got="$(lookup "${TEST_OUT}/${db}.mmdb" "${ip}" country iso_code)"
        [[ "${got}" == "${cc}" ]] || { echo "FAIL ${db} ${ip}: '${got}' != ${cc}" >&2; fail=1; }
      done
      got="$(lookup "${TEST_OUT}/country-code-test.mmdb" "${ip}" country_code)"
      [[ "${got}" == "${cc}" ]] || { echo "FAIL country-code-test ${ip}: '${got}' != ${cc}" >&2; fail=1; }
      got="$(lookup "${DEMO_OUT}/demo-geoip.mmdb" "${ip}" country iso_code)"
      [[ "${got}" == "${cc}" ]] || { echo "FAIL demo-geoip ${ip}: '${got}' != ${cc}" >&2; fail=1; }
    done
  done < "${HERE}/sample-addresses.tsv"
  for ip in 192.0.2.1 2001:db8::1; do
    got="$(lookup "${TEST_OUT}/GeoLite2-Country-Test.mmdb" "${ip}" continent code)"
    [[ "${got}" == "EU" ]] || { echo "FAIL no-country ${ip}: continent '${got}'" >&2; fail=1; }
    got="$(lookup "${TEST_OUT}/GeoLite2-Country-Test.mmdb" "${ip}" country iso_code)"
    [[ -z "${got}" ]] || { echo "FAIL no-country ${ip}: has country '${got}'" >&2; fail=1; }
  done
  [[ "${fail}" == 0 ]] || { echo "self-check FAILED" >&2; exit 1; }
  echo "self-check OK: every sample address resolves to its country in every database"
else
  echo "note: mmdblookup not found (apt-get install -y mmdb-bin); self-check skipped"
fi
