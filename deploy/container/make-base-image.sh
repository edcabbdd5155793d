#!/usr/bin/env bash
# Makes the two local base images deploy/container/Containerfile builds FROM, with mmdebstrap
# (Debian 12 "bookworm", from this host's own apt sources) and `podman import`:
#   localhost/homeport-build-base:bookworm     JDK 17 (headless): the Maven wrapper builds the jar
#   localhost/homeport-runtime-base:bookworm   JRE 17 (headless) and its CA certificates: runs it
# Why made here rather than pulled: the build and CI machines reach Debian's mirrors and Maven
# Central but no image registry, so there is no debian:bookworm or eclipse-temurin to pull. The
# same packages Debian ships for the systemd deployment (openjdk-17-jre-headless) run the image.
#
#   deploy/container/make-base-image.sh            # makes what is missing; seconds when both exist
#   HOMEPORT_BASE_REBUILD=1 deploy/container/make-base-image.sh   # makes both again (security updates)
#
# Idempotent: an image that already exists with the same recipe (label io.homeport.base.recipe,
# a digest of the package list and options below) is kept; a changed recipe makes it again. The
# first run downloads the packages (a few hundred MB for both) and takes a minute or more, depending
# on the mirror; later runs take well under a second.
# Needs: root (or sudo), podman, mmdebstrap (the Debian packages podman, mmdebstrap and gpg).
# HOMEPORT_APT_SOURCES overrides the mirrors: one or more sources files (one-line or .sources) or
# apt lines, separated by '|'.
set -euo pipefail

SUITE=bookworm
BUILD_BASE="localhost/homeport-build-base:$SUITE"
RUNTIME_BASE="localhost/homeport-runtime-base:$SUITE"

# Only the Essential set (no apt: nothing installs packages at run time) plus what each image is
# for. The JDK is enough for the Maven wrapper: it downloads Maven with Java when there is no curl
# or wget, and unpacks the .tar.gz with tar when there is no unzip (and the build is given the
# host's ~/.m2, see build.sh, so usually downloads nothing at all).
VARIANT=essential
BUILD_PACKAGES="openjdk-17-jdk-headless"
RUNTIME_PACKAGES="openjdk-17-jre-headless,ca-certificates"

# No manuals, translations or docs in an image nobody logs into; the copyright files stay (the
# licences of what the image ships).
DPKG_OPTIONS=(
  'path-exclude=/usr/share/man/*'
  'path-exclude=/usr/share/info/*'
  'path-exclude=/usr/share/locale/*'
  'path-include=/usr/share/locale/locale.alias'
  'path-exclude=/usr/share/doc/*'
  'path-include=/usr/share/doc/*/copyright'
  'path-exclude=/usr/share/lintian/*'
)
# Merged /usr the way debootstrap makes it (usr-is-merged): bookworm's init-system-helpers would
# otherwise pull in the usrmerge converter and, with it, 50 MB of Perl.
HOOK_DIRS=(/usr/share/mmdebstrap/hooks/merged-usr)
# Java reads file names and its default charset from the locale; C.UTF-8 is built into bookworm's libc.
IMAGE_ENV='LANG=C.UTF-8'

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
for tool in podman mmdebstrap; do
  command -v "$tool" >/dev/null 2>&1 || { echo "make-base-image: $tool is missing (apt-get install podman mmdebstrap gpg)" >&2; exit 1; }
done

# This host's Debian mirrors for bookworm: the enabled sources files that name the suite (a file
# ending in anything but .list or .sources is disabled, as apt sees it).
mirrors=()
if [ -n "${HOMEPORT_APT_SOURCES:-}" ]; then
  IFS='|' read -r -a mirrors <<<"$HOMEPORT_APT_SOURCES"
else
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    # The suite as a word of its own ("bookworm", "bookworm-updates"), not "cloud-sdk-bookworm".
    if grep -v '^[[:space:]]*#' "$file" | grep -qE "(^|[[:space:]])$SUITE(-[a-z]+)?([[:space:]]|$)"; then
      mirrors+=("$file")
    fi
  done
fi
if [ ${#mirrors[@]} -eq 0 ]; then
  echo "make-base-image: no apt sources for $SUITE in /etc/apt/sources.list*; set HOMEPORT_APT_SOURCES" >&2
  exit 1
fi

# The build base only: the certificate authorities this host adds to Debian's
# (/usr/local/share/ca-certificates, as update-ca-certificates reads them), so that the Maven
# wrapper reaches Maven Central through the same TLS-intercepting proxy the host goes through
# (a build machine behind one, like this project's). Never in the runtime image.
LOCAL_CA_DIR=/usr/local/share/ca-certificates
local_cas() { # the host's local CA files, one a line
  find "$LOCAL_CA_DIR" -type f -name '*.crt' 2>/dev/null | sort
}

recipe_of() { # packages with-local-cas -> a digest of everything that decides the image's contents
  {
    printf '%s\n' "$SUITE" "$VARIANT" "$1" "$IMAGE_ENV" "${DPKG_OPTIONS[@]}" "${HOOK_DIRS[@]}"
    if [ "$2" = yes ]; then local_cas | xargs -r cat; fi
  } | sha256sum | cut -c1-16
}

make_image() { # image packages description with-local-cas
  local image="$1" packages="$2" description="$3" with_cas="$4"
  local recipe
  recipe="$(recipe_of "$packages" "$with_cas")"
  if [ -z "${HOMEPORT_BASE_REBUILD:-}" ] && $sudo podman image exists "$image"; then
    local have
    have="$($sudo podman image inspect --format '{{index .Labels "io.homeport.base.recipe"}}' "$image" 2>/dev/null || true)"
    if [ "$have" = "$recipe" ]; then
      echo "make-base-image: $image exists (recipe $recipe)" >&2
      return 0
    fi
    echo "make-base-image: $image has recipe '${have:-none}', expected $recipe: making it again" >&2
  fi
  local work
  work="$(mktemp -d "${TMPDIR:-/var/tmp}/homeport-base.XXXXXX")"
  # shellcheck disable=SC2064  # expand now: the trap outlives this function's locals
  trap "rm -rf '$work'" EXIT
  echo "make-base-image: making $image ($packages) from ${mirrors[*]}" >&2
  local started=$SECONDS
  local dpkg_args=()
  for option in "${DPKG_OPTIONS[@]}"; do dpkg_args+=("--dpkgopt=$option"); done
  for dir in "${HOOK_DIRS[@]}"; do dpkg_args+=("--hook-dir=$dir"); done
  if [ "$with_cas" = yes ] && [ -n "$(local_cas)" ]; then
    # update-ca-certificates also rewrites Java's keystore (ca-certificates-java's hook).
    dpkg_args+=("--customize-hook=cp $(local_cas | tr '\n' ' ') \"\$1\"$LOCAL_CA_DIR/ && chroot \"\$1\" update-ca-certificates")
  fi
  # The essential hook: the JDK's update-alternatives links its manual page into man1, which the
  # path-exclude above never creates. mmdebstrap drops apt's lists and caches itself; the
  # customize hook drops the rest of what only the bootstrap needed (its logs, the *-old backups).
  # No device nodes in the tarball (mmtarfilter, with Debian's python3): the runtime provides /dev.
  # Its chatter goes to a log, shown when it fails.
  if ! $sudo mmdebstrap --quiet --variant="$VARIANT" --include="$packages" \
    --aptopt='APT::Install-Recommends "false"' "${dpkg_args[@]}" \
    --essential-hook='mkdir -p "$1"/usr/share/man/man1' \
    --customize-hook='rm -rf "$1"/var/log/*.log "$1"/var/log/apt "$1"/var/cache/ldconfig/aux-cache "$1"/var/cache/debconf/*-old "$1"/var/lib/dpkg/*-old' \
    --format=tar "$SUITE" - "${mirrors[@]}" 2>"$work/mmdebstrap.log" \
    | /usr/bin/python3 /usr/bin/mmtarfilter --path-exclude='/dev/*' >"$work/rootfs.tar"; then
    tail -n 40 "$work/mmdebstrap.log" >&2
    echo "make-base-image: mmdebstrap failed for $image (log above)" >&2
    exit 1
  fi
  local previous
  previous="$($sudo podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
  $sudo podman import --quiet \
    --change "ENV $IMAGE_ENV" \
    --change 'CMD ["/bin/bash"]' \
    --change "LABEL io.homeport.base.recipe=$recipe" \
    --change "LABEL org.opencontainers.image.description=\"$description\"" \
    --message "mmdebstrap --variant=$VARIANT --include=$packages $SUITE" \
    "$work/rootfs.tar" "$image" >/dev/null
  rm -rf "$work"
  trap - EXIT
  # The image it replaces, now untagged: removed unless a container or another image still uses it.
  if [ -n "$previous" ]; then
    $sudo podman rmi "$previous" >/dev/null 2>&1 || true
  fi
  echo "make-base-image: made $image in $((SECONDS - started)) s" \
    "($($sudo podman image inspect --format '{{.Size}}' "$image") bytes)" >&2
}

make_image "$BUILD_BASE" "$BUILD_PACKAGES" "Debian $SUITE with OpenJDK 17 (headless JDK): Homeport's build stage" yes
make_image "$RUNTIME_BASE" "$RUNTIME_PACKAGES" "Debian $SUITE with OpenJDK 17 (headless JRE): Homeport's runtime" no
