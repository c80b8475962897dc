"""The Lua scripts behind :class:`ngrok_async.redis.RedisJournal` (times in ms, Redis's clock).

Every script gets the job's seven keys, all under one ``{hash tag}``: ``meta`` (hash:
format, job, run_id, started_at, user:<name>, closed:<holder>), then hashes from a request's
key to its ``state``, ``digest``, ``sent_at``, ``record`` (API JSON), ``holder`` (the claiming
journal's id) and ``lease`` (the claim's expiry). Each write pushes every key's expiry to
``ttl_ms`` from now. A missing value is returned as ``""``.
"""

_PRELUDE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function keep(ttl)
  for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
end
local function row(key)
  return {
    redis.call('HGET', KEYS[2], key) or '', redis.call('HGET', KEYS[3], key) or '',
    redis.call('HGET', KEYS[4], key) or '', redis.call('HGET', KEYS[5], key) or '',
  }
end
"""

# ARGV: job, format, run_id, started_at, ttl_ms -> {format, job, run_id} or {} (rows, no header)
OPEN = (
    _PRELUDE
    + """
if redis.call('EXISTS', KEYS[1]) == 0 then
  if redis.call('EXISTS', KEYS[2]) == 1 then return {} end
  redis.call('HSET', KEYS[1], 'format', ARGV[2], 'job', ARGV[1], 'run_id', ARGV[3],
             'started_at', ARGV[4])
end
keep(tonumber(ARGV[5]))
return {redis.call('HGET', KEYS[1], 'format') or '', redis.call('HGET', KEYS[1], 'job') or '',
        redis.call('HGET', KEYS[1], 'run_id') or ''}
"""
)

# ARGV: name, value, ttl_ms -> the value stored first
REMEMBER = (
    _PRELUDE
    + """
redis.call('HSETNX', KEYS[1], 'user:' .. ARGV[1], ARGV[2])
keep(tonumber(ARGV[3]))
return redis.call('HGET', KEYS[1], 'user:' .. ARGV[1])
"""
)

# -> {HGETALL state, HGETALL digest, HGETALL sent_at, HGETALL record}
ENTRIES = """
return {redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[3]),
        redis.call('HGETALL', KEYS[4]), redis.call('HGETALL', KEYS[5])}
"""

# ARGV: key, digest, holder, lease_ms, ttl_ms
# -> {ours} for a new key, else {ours, state, digest, sent_at, record} as it was; a holder
# that has closed takes nothing (a claim it sent just before closing may arrive after)
CLAIM = (
    _PRELUDE
    + """
local key, me = ARGV[1], ARGV[3]
local before = row(key)
if redis.call('HEXISTS', KEYS[1], 'closed:' .. me) == 1 then
  return {0, before[1], before[2], before[3], before[4]}
end
if before[1] == '' then
  redis.call('HSET', KEYS[2], key, 'not_created')
  redis.call('HSET', KEYS[3], key, ARGV[2])
  redis.call('HSET', KEYS[6], key, me)
  redis.call('HSET', KEYS[7], key, now + tonumber(ARGV[4]))
  keep(tonumber(ARGV[5]))
  return {1}
end
local holder = redis.call('HGET', KEYS[6], key)
local held = holder and holder ~= me and tonumber(redis.call('HGET', KEYS[7], key) or '0') > now
if before[2] ~= ARGV[2] or before[1] == 'created' or held then
  return {0, before[1], before[2], before[3], before[4]}
end
redis.call('HSET', KEYS[6], key, me)
redis.call('HSET', KEYS[7], key, now + tonumber(ARGV[4]))
keep(tonumber(ARGV[5]))
return {1, before[1], before[2], before[3], before[4]}
"""
)

# ARGV: key, holder, sent_at, lease_ms, ttl_ms -> 1 if the claim is still ours (row marked
# sent), else 0
SENT = (
    _PRELUDE
    + """
local key = ARGV[1]
if redis.call('HGET', KEYS[6], key) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], key, 'sent')
redis.call('HSET', KEYS[4], key, ARGV[3])
redis.call('HDEL', KEYS[5], key)
redis.call('HSET', KEYS[7], key, now + tonumber(ARGV[4]))
keep(tonumber(ARGV[5]))
return 1
"""
)

# ARGV: key, holder, state ('created' or 'not_created'), record JSON ('' for none), ttl_ms
# created is always recorded; not_created only over a row this journal holds
DONE = (
    _PRELUDE
    + """
local key = ARGV[1]
local mine = redis.call('HGET', KEYS[6], key) == ARGV[2]
if ARGV[3] == 'created' then
  redis.call('HSET', KEYS[2], key, 'created')
  redis.call('HSET', KEYS[5], key, ARGV[4])
elseif mine and redis.call('HGET', KEYS[2], key) ~= 'created' then
  redis.call('HSET', KEYS[2], key, 'not_created')
  redis.call('HDEL', KEYS[5], key)
end
if mine then
  redis.call('HDEL', KEYS[6], key)
  redis.call('HDEL', KEYS[7], key)
end
keep(tonumber(ARGV[5]))
return 1
"""
)

# ARGV: holder, lease_ms (0: release and close: no later claim of this holder takes a row),
# ttl_ms, keys... -> how many are still this holder's
RENEW = (
    _PRELUDE
    + """
local me, lease, held = ARGV[1], tonumber(ARGV[2]), 0
if lease == 0 then redis.call('HSET', KEYS[1], 'closed:' .. me, 1) end
for i = 4, #ARGV do
  if redis.call('HGET', KEYS[6], ARGV[i]) == me then
    held = held + 1
    if lease > 0 then
      redis.call('HSET', KEYS[7], ARGV[i], now + lease)
    else
      redis.call('HDEL', KEYS[6], ARGV[i])
      redis.call('HDEL', KEYS[7], ARGV[i])
    end
  end
end
keep(tonumber(ARGV[3]))
return held
"""
)
