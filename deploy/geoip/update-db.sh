#!/usr/bin/env bash
# Replaces the gateway's country database with a newer one, safely: the new file is fetched into
# the same directory, checked by the gateway's own verifier (the whole file, and the rules' tests
# against it), and only then renamed over the old one — so the gateway, which reloads on change,
# never sees a partial or broken file. The gateway's reload canary then compares it with recent
# traffic and refuses it if it moves too many users (reload.max_region_change).
#
# Usage: update-db.sh TARGET.mmdb RULES.yaml
#   TARGET.mmdb  the file gateway.yaml's geoip.database names (e.g. /etc/homeport/country.mmdb)
#   RULES.yaml   the rules file, whose tests must pass with the new database
# Env:
#   HOMEPORT_JAR       the gateway's jar (default /opt/homeport/homeport.jar)
#   HOMEPORT_CMD       the command that runs the gateway's CLI instead (default: java -jar $HOMEPORT_JAR)
#   GEOIP_DB_SOURCE    a database file to install instead of downloading one (for MaxMind's
#                      geoipupdate output, or a file fetched elsewhere)
#   GEOIP_DB_PACKAGE   npm package to download (default @ip-location-db/geo-whois-asn-country-mmdb,
#                      CC BY 4.0, from RIR delegations and WHOIS; daily releases)
#   GEOIP_DB_VERSION   its version (default: the newest)
# Exit: 0 replaced (or already the same), 1 refused or failed (the old file stays).
set -euo pipefail

target="${1:?usage: update-db.sh TARGET.mmdb RULES.yaml}"
rules="${2:?usage: update-db.sh TARGET.mmdb RULES.yaml}"
jar="${HOMEPORT_JAR:-/opt/homeport/homeport.jar}"
homeport="${HOMEPORT_CMD:-java -jar ${jar}}"
package="${GEOIP_DB_PACKAGE:-@ip-location-db/geo-whois-asn-country-mmdb}"
name="geo-whois-asn-country.mmdb"

[[ -n "${HOMEPORT_CMD:-}" || -f "${jar}" ]] || { echo "update-db: no gateway jar at ${jar} (set HOMEPORT_JAR)" >&2; exit 1; }
dir="$(dirname "${target}")"
candidate="$(mktemp "${dir}/.$(basename "${target}").XXXXXX")"
work="$(mktemp -d "${TMPDIR:-/tmp}/homeport-geoip-update.XXXXXX")"
trap 'rm -rf "${work}" "${candidate}"' EXIT

if [[ -n "${GEOIP_DB_SOURCE:-}" ]]; then
  cp "${GEOIP_DB_SOURCE}" "${candidate}"
  source_name="${GEOIP_DB_SOURCE}"
else
  command -v npm >/dev/null 2>&1 || { echo "update-db: npm is needed to download ${package}" >&2; exit 1; }
  spec="${package}${GEOIP_DB_VERSION:+@${GEOIP_DB_VERSION}}"
  tarball="$(cd "${work}" && npm pack --silent "${spec}" 2>/dev/null | tail -n 1)"
  [[ -n "${tarball}" && -f "${work}/${tarball}" ]] || { echo "update-db: npm pack ${spec} failed" >&2; exit 1; }
  tar -xzf "${work}/${tarball}" -C "${work}"
  [[ -s "${work}/package/${name}" ]] || { echo "update-db: ${name} is not in ${tarball}" >&2; exit 1; }
  cp "${work}/package/${name}" "${candidate}"
  source_name="${spec} (${tarball})"
fi

if [[ -f "${target}" ]] && cmp -s "${candidate}" "${target}"; then
  echo "update-db: ${target} is already ${source_name}"
  exit 0
fi

# The gateway's own checks: the database verified whole, then every test of the rules file.
if ! ${homeport} validate --geoip "${candidate}" "${rules}" >"${work}/validate.out" 2>&1; then
  echo "update-db: ${source_name} refused; ${target} is unchanged:" >&2
  sed 's/^/  /' "${work}/validate.out" >&2
  exit 1
fi

chmod 0644 "${candidate}"
mv -f "${candidate}" "${target}"   # same directory: an atomic rename
echo "update-db: ${target} replaced by ${source_name}"
