#!/usr/bin/env python3
"""Credentials for the bench's auth rows, written into OUT (the first argument):

- jwt-public.pem: the RSA public key the JWT route checks with (its private half signs, then stays in OUT);
- tokens.txt: 1 000 RS256 tokens, one per line, each for a subject of its own (so 1 000 limiter identities),
  valid for a day; signed by the openssl command line, so nothing beyond python3's standard library is needed;
- apikeys.txt: 10 000 API keys, one per line, each of a consumer of its own;
- consumers.resp: those consumers in Redis's protocol for `redis-cli --pipe`, in the layout the admin writes
  (docs/operations.md, "Authentication"): sluice:consumer:<id> with one key:<sha256> field, and
  sluice:apikey:<sha256> -> id. Made here instead of by 10 000 admin calls, which would take minutes.
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import time

TOKENS = 1000
API_KEYS = 10000


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def resp(*args):
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        value = str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(value), value))
    return b"".join(parts)


def main(out):
    private = os.path.join(out, "jwt-private.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", private],
                   check=True, stderr=subprocess.DEVNULL)
    subprocess.run(["openssl", "pkey", "-in", private, "-pubout", "-out", os.path.join(out, "jwt-public.pem")], check=True)
    header = b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    now = int(time.time())
    with open(os.path.join(out, "tokens.txt"), "w") as tokens:
        for i in range(TOKENS):
            claims = b64(json.dumps({"sub": "bench-user-%d" % i, "iat": now, "exp": now + 86400}).encode())
            signing_input = (header + "." + claims).encode()
            signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", private], input=signing_input,
                                       stdout=subprocess.PIPE, check=True).stdout
            tokens.write("%s.%s\n" % (signing_input.decode(), b64(signature)))
    with open(os.path.join(out, "apikeys.txt"), "w") as keys, open(os.path.join(out, "consumers.resp"), "wb") as redis:
        for i in range(API_KEYS):
            key = "sk_bench_%d_%s" % (i, b64(hashlib.sha256(b"bench-key-%d" % i).digest()))
            digest = hashlib.sha256(key.encode()).hexdigest()
            consumer = "bench-%d" % i
            keys.write(key + "\n")
            redis.write(resp("HSET", "sluice:consumer:" + consumer, "id", consumer, "createdAt", now * 1000,
                             "limits", "{}", "key:" + digest, now * 1000))
            redis.write(resp("SET", "sluice:apikey:" + digest, consumer))


if __name__ == "__main__":
    main(sys.argv[1])
