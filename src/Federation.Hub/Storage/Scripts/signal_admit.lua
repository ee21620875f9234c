-- Admits one submit batch of one member: returns the remembered response when the request id was seen before
-- (nothing charged), otherwise charges the member's token bucket for the batch's items.
-- KEYS[1] the member's token bucket hash, KEYS[2] the batch's request id key (same hash tag as KEYS[1])
-- ARGV[1] items in the batch, ARGV[2] refill rate (items per second), ARGV[3] bucket capacity, ARGV[4] now (ms)
-- Returns {1, response bytes} replay, {0} admitted, {2, wait ms} rate limited.
local previous = redis.call('GET', KEYS[2])
if previous then return {1, previous} end
local cost, rate, capacity, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if rate <= 0 then return {0} end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens, ts = tonumber(state[1]) or capacity, tonumber(state[2]) or now
if now > ts then tokens = math.min(capacity, tokens + (now - ts) * rate / 1000) end
if tokens < cost then
  return {2, math.ceil((cost - tokens) * 1000 / rate)}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - cost), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
return {0}
