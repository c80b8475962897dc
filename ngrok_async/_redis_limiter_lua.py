"""The Lua scripts behind :class:`ngrok_async.redis.RedisLimiter` (times in ms, Redis's clock).

Keys, all under one ``{hash tag}``: ``leases`` (zset ticket -> lease expiry), ``permits``
(zset ticket -> permit expiry), ``pause`` (paused-until), ``queue`` (zset ticket -> arrival
number), ``seen`` (zset ticket -> last poll), ``seq`` (the arrival counter). ``{key}:free`` is
the channel on which a notice is published when a slot frees, or when the queue moves on and
another slot is free now, so that waiters try again at once instead of on their next poll.
"""

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: leases, permits, pause, queue, seen, seq
# ARGV: ticket, window_ms, limit (0: none), max_concurrency (0: none), lease_ms, waiter_ttl_ms,
# channel
ACQUIRE = (
    _NOW
    + """
local window, limit, cap = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES')
for i = 1, #dead, 2 do
  if limit > 0 then redis.call('ZADD', KEYS[2], tonumber(dead[i + 1]) + window, dead[i]) end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local stale = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now - tonumber(ARGV[6]))
for i = 1, #stale do redis.call('ZREM', KEYS[4], stale[i]) end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - tonumber(ARGV[6]))
local ticket = ARGV[1]
if not redis.call('ZSCORE', KEYS[4], ticket) then
  redis.call('ZADD', KEYS[4], redis.call('INCR', KEYS[6]), ticket)
end
redis.call('ZADD', KEYS[5], now, ticket)
local idle = window + tonumber(ARGV[5]) + tonumber(ARGV[6]) + 60000
for i = 1, 6 do redis.call('PEXPIRE', KEYS[i], idle) end
local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
if paused > now then return {0, paused - now} end
local inflight = redis.call('ZCARD', KEYS[1])
local free = 1000000
local wait = 0
if cap > 0 then free = cap - inflight end
if limit > 0 then
  local used = inflight + redis.call('ZCARD', KEYS[2])
  if limit - used < free then free = limit - used end
  if limit - used <= 0 then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    if #oldest > 0 then wait = tonumber(oldest[2]) - now end
  end
end
if free <= 0 then return {0, wait} end
if redis.call('ZRANK', KEYS[4], ticket) >= free then return {0, 0} end
redis.call('ZREM', KEYS[4], ticket)
redis.call('ZREM', KEYS[5], ticket)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[5]), ticket)
if free > 1 and redis.call('ZCARD', KEYS[4]) > 0 then redis.call('PUBLISH', ARGV[7], 'queue') end
return {1, 0}
"""
)

# KEYS: leases, permits, queue, seen. ARGV: ticket, window_ms, limit (0: none), channel
RELEASE = (
    _NOW
    + """
local held = redis.call('ZREM', KEYS[1], ARGV[1])
local queued = redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
local before = redis.call('ZSCORE', KEYS[2], ARGV[1])
if tonumber(ARGV[3]) > 0 and (held == 1 or before) then
  local expiry = now + tonumber(ARGV[2])
  if before and tonumber(before) > expiry then expiry = tonumber(before) end
  redis.call('ZADD', KEYS[2], expiry, ARGV[1])
end
if held == 1 or queued == 1 then redis.call('PUBLISH', ARGV[4], 'free') end
return held
"""
)

# KEYS: leases. ARGV: lease_ms, tickets...
RENEW = (
    _NOW
    + """
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i]) end
return #ARGV - 1
"""
)

# KEYS: pause, permits. ARGV: retry_after_ms (-1: none), concurrency_cap (0/1), window_ms, floor_ms
PAUSE = (
    _NOW
    + """
local ms
local floor, window = tonumber(ARGV[4]), tonumber(ARGV[3])
if tonumber(ARGV[1]) >= 0 then
  ms = tonumber(ARGV[1])
elseif ARGV[2] == '1' then
  ms = floor
else
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  local frees = 0
  if #oldest > 0 then frees = tonumber(oldest[2]) - now end
  if window > 0 and frees > window then frees = window end
  ms = math.max(floor, frees)
end
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if now + ms > current then redis.call('SET', KEYS[1], now + ms, 'PX', math.floor(ms) + 1000) end
return math.floor(ms)
"""
)
