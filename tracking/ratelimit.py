"""Fixed-window rate limits for the public tracking endpoints, counted in the Django cache.

A counter per (bucket, identity, window) is incremented on every request; past the limit the
request is refused with the seconds until the window ends (Retry-After). With REDIS_URL the
counters live in Redis, shared by every worker process; with the embedded locmem cache each
process counts on its own (fine for one development server).

The collector calls this on every page view, so the Redis path is one command: a small Lua script
(EVALSHA) that increments every counter and sets the expiry of a new one, atomically, on a client
kept for the process. Django's cache API would spend two round trips per counter and build a new
Redis client object for each call; a pipeline of SET NX + INCR per counter is one round trip too,
but four commands to encode and four replies to parse.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from threading import Lock
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int = 0


@dataclass(frozen=True)
class Limit:
    """`limit` requests per `window` seconds for `identity` in `bucket`."""

    bucket: str
    identity: str
    limit: int
    window: int


def _cache_key(bucket: str, identity: str, slot: int) -> str:
    # Hashed so any identity (an IPv6 address, a key) makes a short, cache-safe key.
    digest = hashlib.blake2b(identity.encode(), digest_size=12).hexdigest()
    return f"tp:rl:{bucket}:{slot}:{digest}"


# --- Counting ------------------------------------------------------------------------------------
_redis_client: Any = None
_redis_lock = Lock()


def redis_client() -> Any:
    """A Redis client of the default cache, made once per process (None without Redis).
    redis-py clients are thread-safe: they take a pooled connection per command."""
    global _redis_client
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    with _redis_lock:
        if _redis_client is None:
            _redis_client = backend._cache.get_client(write=True)
        return _redis_client


# KEYS: the counters; ARGV: their expiries (seconds). A counter created by this INCR gets its
# expiry in the same atomic step, so none can live on without one.
_COUNT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[i]) end
  counts[i] = count
end
return counts
"""
_count_script: Any = None


def _count_in_redis(client: Any, keys: Sequence[tuple[str, int]]) -> list[int]:
    global _count_script
    if _count_script is None:
        # redis-py sends EVALSHA, and loads the script once when the server does not know it.
        _count_script = client.register_script(_COUNT_SCRIPT)
    results = _count_script(
        keys=[key for key, _ in keys], args=[timeout for _, timeout in keys], client=client
    )
    return [int(count) for count in results]


def _count_in_cache(key: str, timeout: int) -> int:
    try:
        return int(cache.incr(key))
    except ValueError:
        # First request of the window. add() is atomic: of two racing first requests one adds,
        # the other increments.
        if cache.add(key, 1, timeout=timeout):
            return 1
        return int(cache.incr(key))


def hit(*limits: Limit, now: float | None = None) -> Verdict:
    """Count one request against every limit; refused (with the longest wait) past any."""
    now = time.time() if now is None else now
    keyed = []
    for limit in limits:
        slot = int(now // limit.window)
        # make_key: the key is ASCII without spaces by construction (validating it would
        # check it character by character on every request).
        key = cache.make_key(_cache_key(limit.bucket, limit.identity, slot))
        keyed.append((limit, slot, key))
    client = redis_client()
    if client is not None:
        counts = _count_in_redis(client, [(key, limit.window + 1) for limit, _, key in keyed])
    else:
        counts = [
            _count_in_cache(_cache_key(limit.bucket, limit.identity, slot), limit.window + 1)
            for limit, slot, _ in keyed
        ]
    waits = [
        max(1, math.ceil((slot + 1) * limit.window - now))
        for (limit, slot, _), count in zip(keyed, counts, strict=True)
        if count > limit.limit
    ]
    return Verdict(not waits, max(counts, default=0), max(waits, default=0))


# --- The tracking endpoints' limits ------------------------------------------------------------
def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the address the trusted proxies saw (counted from
    the right of X-Forwarded-For, so a client cannot choose its own)."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.TRACKING_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def ip_limit(ip: str) -> Limit:
    return Limit(
        "ip", ip, settings.TRACKING_RATE_LIMIT_PER_IP, settings.TRACKING_RATE_WINDOW_SECONDS
    )


def key_ip_limit(key: str, ip: str) -> Limit:
    return Limit(
        "key-ip",
        f"{key}|{ip}",
        settings.TRACKING_RATE_LIMIT_PER_KEY_IP,
        settings.TRACKING_RATE_WINDOW_SECONDS,
    )
