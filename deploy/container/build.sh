#!/usr/bin/env bash
# Builds Homeport's container image from this checkout:
#   deploy/container/build.sh          # -> localhost/homeport:<version>, e.g. localhost/homeport:0.1.0
# Makes the local base images when they are missing (make-base-image.sh: a few minutes the first
# time, seconds after), then runs `podman build` on deploy/container/Containerfile with the
# repository as the context. Prints the image id last, alone on its line.
#
# Environment:
#   HOMEPORT_IMAGE          the image name (default localhost/homeport:<pom version without -SNAPSHOT>,
#                           the name deploy/kubernetes/base/deployment.yaml runs)
#   HOMEPORT_MAVEN_OFFLINE  1: the Maven build uses only what ~/.m2 and the build cache hold (-o)
#   BUILDAH_ISOLATION       how RUN steps are isolated (default here: chroot, see below)
# Needs: root (or sudo), podman, mmdebstrap (the Debian packages podman, mmdebstrap and gpg).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

bash deploy/container/make-base-image.sh

# The project's version, from the parent pom (its first <version>); the image is tagged without
# -SNAPSHOT, as the Kubernetes manifests name it.
pom_version="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -n 1)"
version="${pom_version%-SNAPSHOT}"
image="${HOMEPORT_IMAGE:-localhost/homeport:$version}"
revision="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ "$revision" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  revision="$revision-dirty"
fi
source_url="$(git remote get-url origin 2>/dev/null || echo unknown)"

args=(
  --format docker              # keeps the HEALTHCHECK (the OCI format has none)
  --pull=never                 # the bases are local; never look for them in a registry
  -f deploy/container/Containerfile
  -t "$image"
  --build-arg "VERSION=$pom_version"
  --build-arg "REVISION=$revision"
  --build-arg "SOURCE=$source_url"
)
# The host's Maven repository and wrapper, read-only, so the build stage downloads nothing it
# already has (the Containerfile chains it behind its own build cache).
maven_home="${MAVEN_USER_HOME:-$HOME/.m2}"
if [ -d "$maven_home/repository" ]; then
  args+=(-v "$maven_home:/host-m2:ro")
fi
if [ "${HOMEPORT_MAVEN_OFFLINE:-}" = 1 ]; then
  args+=(--build-arg MAVEN_OFFLINE=true)
fi
# chroot isolation for the RUN steps: they build this repository's own sources, and it needs no
# OCI runtime, whose rlimits and cgroups locked-down CI sandboxes refuse. BUILDAH_ISOLATION=oci
# picks the usual one.
args+=(--isolation "${BUILDAH_ISOLATION:-chroot}")

iidfile="$(mktemp)"
trap 'rm -f "$iidfile"' EXIT
started=$SECONDS
echo "build: podman build ${args[*]} ." >&2
$sudo podman build "${args[@]}" --iidfile "$iidfile" . >&2
id="$(cat "$iidfile")"
# Each build of changed sources leaves the previous one's layers behind as untagged images (the
# layer cache). Those of Homeport's builds (they carry the base images' label) older than a day
# go; newer ones stay, so an unchanged rebuild still takes seconds.
$sudo podman image prune --force --filter label=io.homeport.base.recipe --filter until=24h >/dev/null || true
echo "build: $image built in $((SECONDS - started)) s, $($sudo podman image inspect --format '{{.Size}}' "$id") bytes" >&2
echo "$id"
