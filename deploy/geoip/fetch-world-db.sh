#!/usr/bin/env bash
# Fetch the real world-wide IP-to-country database used for manual testing and
# for verifying the GeoIP test fixtures in gateway/geoip-fixtures/.
#
# Data: geo-whois-asn-country by ip-location-db (sapics), CC BY 4.0,
# derived from NRO/RIR delegation data.
#
# The database is taken from the npm package
# @ip-location-db/geo-whois-asn-country-mmdb (via `npm pack`, no install) and
# written to <repo-root>/.cache/geoip/geo-whois-asn-country.mmdb (git-ignored).
#
# Usage:  deploy/geoip/fetch-world-db.sh
# Env:    GEOIP_DB_VERSION  package version to fetch (default pinned below)
#         GEOIP_FORCE=1     re-download even if the file already exists
set -euo pipefail

GEOIP_DB_PACKAGE="${GEOIP_DB_PACKAGE:-@ip-location-db/geo-whois-asn-country-mmdb}"
GEOIP_DB_VERSION="${GEOIP_DB_VERSION:-2.3.2026061719}"
DB_NAME="geo-whois-asn-country.mmdb"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/../.." && pwd)"
OUT_DIR="${REPO_ROOT}/.cache/geoip"
OUT_FILE="${OUT_DIR}/${DB_NAME}"

if [[ -s "${OUT_FILE}" && "${GEOIP_FORCE:-0}" != "1" ]]; then
  echo "GeoIP world database already present: ${OUT_FILE}"
  exit 0
fi

command -v npm >/dev/null 2>&1 || { echo "error: npm is required" >&2; exit 1; }
command -v tar >/dev/null 2>&1 || { echo "error: tar is required" >&2; exit 1; }

mkdir -p "${OUT_DIR}"
TMP_DIR="$(mktemp -d "${TMPDIR:-/tmp}/homeport-geoip.XXXXXX")"
trap 'rm -rf "${TMP_DIR}"' EXIT

echo "Fetching ${GEOIP_DB_PACKAGE}@${GEOIP_DB_VERSION} ..."
TARBALL="$(cd "${TMP_DIR}" && npm pack --silent "${GEOIP_DB_PACKAGE}@${GEOIP_DB_VERSION}" 2>/dev/null | tail -n 1)"
if [[ -z "${TARBALL}" || ! -f "${TMP_DIR}/${TARBALL}" ]]; then
  echo "error: npm pack did not produce a tarball" >&2
  exit 1
fi

tar -xzf "${TMP_DIR}/${TARBALL}" -C "${TMP_DIR}"
# The package ships -ipv4, -ipv6 and a combined (IPv4 + IPv6) database; we want
# the combined one.
SRC="${TMP_DIR}/package/${DB_NAME}"
if [[ ! -s "${SRC}" ]]; then
  echo "error: ${DB_NAME} not found in ${TARBALL}; contents:" >&2
  tar -tzf "${TMP_DIR}/${TARBALL}" >&2
  exit 1
fi

# Write atomically so an interrupted run never leaves a partial file behind.
cp "${SRC}" "${OUT_FILE}.tmp"
mv -f "${OUT_FILE}.tmp" "${OUT_FILE}"
echo "GeoIP world database written to: ${OUT_FILE} ($(wc -c <"${OUT_FILE}") bytes, ${GEOIP_DB_PACKAGE}@${GEOIP_DB_VERSION})"
