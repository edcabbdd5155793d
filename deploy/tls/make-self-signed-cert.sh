#!/bin/sh
# Makes a self-signed certificate for the TLS demo: deploy/tls/demo-cert.pem and demo-key.pem (and the
# demo's user-hash key, demo-user-hash.key),
# valid for localhost, 127.0.0.1 and *.homeport.test for 30 days. Needs openssl (apt: openssl).
# Production certificates come from your CA or ACME client; point gateway.yaml at their PEM files
# (the key in PKCS#8, "BEGIN PRIVATE KEY"). Homeport reloads them when they change.
set -eu
cd "$(dirname "$0")"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,DNS:*.homeport.test,IP:127.0.0.1" \
  -keyout demo-key.pem.tmp -out demo-cert.pem.tmp 2>/dev/null
# Replace each file in one rename, as a certificate manager should: a running gateway never reads half a file.
mv demo-key.pem.tmp demo-key.pem
mv demo-cert.pem.tmp demo-cert.pem
chmod 600 demo-key.pem
openssl x509 -in demo-cert.pem -noout -subject -enddate -ext subjectAltName
# The key of the access log's user-id hash, which `homeport run` requires (kept if it exists).
[ -s demo-user-hash.key ] || { head -c 32 /dev/urandom > demo-user-hash.key.tmp && mv demo-user-hash.key.tmp demo-user-hash.key; }
chmod 600 demo-user-hash.key
