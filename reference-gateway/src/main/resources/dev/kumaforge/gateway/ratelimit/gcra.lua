-- GCRA (generic cell rate algorithm) on one key, atomic; time from the Redis server (one clock
-- for every replica). The key holds the theoretical arrival time (TAT) in microseconds and
-- expires when the bucket would be full again, so every key carries a TTL.
-- KEYS[1]  bucket key
-- ARGV[1]  emission interval in microseconds (interval / num)
-- ARGV[2]  capacity (burst), in tokens
-- ARGV[3]  cost of this request in tokens (negative: give tokens back)
-- ARGV[4]  1: apply the cost even when over the limit (reconciliation), 0: refuse instead
-- returns {allowed 0|1, remaining tokens, retry-after us, us until full}
if redis.replicate_commands then
  pcall(redis.replicate_commands)
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local emission = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local force = ARGV[4] == '1'
local tolerance = emission * capacity
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then
  tat = now
end
local newTat = tat + emission * cost
if newTat < now then
  newTat = now
end
local allowAt = newTat - tolerance
if allowAt > now and not force then
  return {0, 0, math.ceil(allowAt - now), math.ceil(tat - now)}
end
local ttlMs = math.ceil((newTat - now) / 1000) + 1
redis.call('SET', KEYS[1], string.format('%.0f', newTat), 'PX', ttlMs)
local remaining = math.floor((tolerance - (newTat - now)) / emission)
if remaining < 0 then
  remaining = 0
end
return {1, remaining, 0, math.ceil(newTat - now)}
