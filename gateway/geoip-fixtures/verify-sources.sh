#!/usr/bin/env bash
# Check the fixture sources against the real world-wide database: every network
# in test-networks.tsv and demo-networks.tsv must lie wholly inside one record
# of geo-whois-asn-country with the same country, and every sample address in
# sample-addresses.tsv must have its country there.
#
# Needs mmdb-bin (mmdblookup) and the database fetched by
# deploy/geoip/fetch-world-db.sh (which this script runs if the file is missing).
# Override the database with GEOIP_WORLD_DB=/path/to/file.mmdb.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${HERE}/../.." && pwd)"
DB="${GEOIP_WORLD_DB:-${REPO_ROOT}/.cache/geoip/geo-whois-asn-country.mmdb}"

command -v mmdblookup >/dev/null 2>&1 || { echo "error: mmdblookup missing: apt-get install -y mmdb-bin" >&2; exit 1; }
[[ -s "${DB}" ]] || "${REPO_ROOT}/deploy/geoip/fetch-world-db.sh"

# Prints "<prefix-length> <country>" of the record holding $1 (IPv4 prefix
# lengths converted from the ::a.b.c.d form of the IPv6 tree).
real() {
  local out prefix cc
  out="$(mmdblookup --file "${DB}" --verbose --ip "$1" country_code 2>/dev/null || true)"
  prefix="$(sed -n 's/.*Record prefix length: \([0-9]*\).*/\1/p' <<<"${out}")"
  cc="$(sed -n 's/^ *"\(.*\)" <utf8_string>$/\1/p' <<<"${out}")"
  if [[ -n "${prefix}" && "$1" == *.* ]]; then prefix=$(( prefix - 96 )); fi
  echo "${prefix:-none} ${cc:-none}"
}

fail=0
checked=0
for src in test-networks.tsv demo-networks.tsv; do
  while IFS= read -r line; do
    line="${line%%#*}"
    read -r net cc _ <<<"${line}" || true
    [[ -z "${net:-}" ]] && continue
    read -r prefix got <<<"$(real "${net%/*}")"
    checked=$(( checked + 1 ))
    if [[ "${got}" != "${cc}" ]]; then
      echo "FAIL ${src}: ${net} is ${got} in the world database, not ${cc}" >&2; fail=1
    elif [[ "${prefix}" == none || "${prefix}" -gt "${net#*/}" ]]; then
      echo "FAIL ${src}: ${net} is split in the world database (record /${prefix} at its start)" >&2; fail=1
    fi
  done < "${HERE}/${src}"
done
while IFS=$'\t' read -r cc v4 v6; do
  [[ -z "${cc}" || "${cc}" == \#* ]] && continue
  for ip in "${v4}" ${v6}; do
    read -r _ got <<<"$(real "${ip}")"
    checked=$(( checked + 1 ))
    [[ "${got}" == "${cc}" ]] || { echo "FAIL sample ${ip}: ${got} in the world database, not ${cc}" >&2; fail=1; }
  done
done < "${HERE}/sample-addresses.tsv"

[[ "${fail}" == 0 ]] || { echo "verify-sources: FAILED" >&2; exit 1; }
echo "verify-sources: OK (${checked} networks/addresses match ${DB})"
