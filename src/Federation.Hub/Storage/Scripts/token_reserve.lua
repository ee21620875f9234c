-- Reserves one token request attempt before its secret is verified, so that parallel guessing cannot outrun the
-- limits: either every limit admits the attempt and each is charged, or none is. Each limit is a GCRA cell (one string:
-- the theoretical arrival time in ms): a burst of B attempts, then one per interval T.
-- KEYS[1] refusal note (SET NX PX: was a refusal audited this interval), KEYS[2] known-source marker (read only when
-- ARGV[3] > 0), KEYS[3..] the limits; all keys share one hash tag.
-- ARGV[1] now (ms), ARGV[2] note interval (ms), ARGV[3] index (1-based, among the limits) of the limit a known source
-- is exempt from, 0 for none; then per limit i: ARGV[2+2i] burst B, ARGV[3+2i] interval T (ms).
-- Returns {0, charged mask (bit i-1 = limit i charged)} admitted, {1, wait ms, refusing limit index, noted 1/0} refused.
local now, noteMs, exempt = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local known = exempt > 0 and redis.call('EXISTS', KEYS[2]) == 1
local limits = #KEYS - 2
local next = {}
for i = 1, limits do
  if not (known and i == exempt) then
    local burst, interval = tonumber(ARGV[2 + 2 * i]), tonumber(ARGV[3 + 2 * i])
    local tat = math.max(tonumber(redis.call('GET', KEYS[2 + i]) or now), now)
    local wait = tat + interval - now - burst * interval
    if wait > 0 then
      local noted = redis.call('SET', KEYS[1], '1', 'PX', noteMs, 'NX') and 1 or 0
      return {1, wait, i, noted}
    end
    next[i] = tat + interval
  end
end
local mask = 0
for i = 1, limits do
  if next[i] then
    redis.call('SET', KEYS[2 + i], string.format('%d', next[i]), 'PX', next[i] - now)
    mask = mask + 2 ^ (i - 1)
  end
end
return {0, mask}
